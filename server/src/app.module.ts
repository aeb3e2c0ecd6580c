import { Module, type DynamicModule } from '@nestjs/common';
import { featureModules } from './app.modules';
import { PlatformModule, type PlatformOptions } from './platform/platform.module';

export interface AppModuleOptions extends PlatformOptions {
  /** Extra modules (tests add a controller or a job of their own). */
  modules?: any[];
}

/** The whole application: the global platform, then every feature module listed in app.modules.ts. */
@Module({})
export class AppModule {
  static forRoot(options: AppModuleOptions): DynamicModule {
    const { modules = [], ...platform } = options;
    return {
      module: AppModule,
      imports: [PlatformModule.forRoot(platform), ...featureModules, ...modules],
    };
  }
}
