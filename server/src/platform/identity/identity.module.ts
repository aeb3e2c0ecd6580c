import { Global, Inject, Module, type OnModuleInit } from '@nestjs/common';
import { APP_GUARD, HttpAdapterHost } from '@nestjs/core';
import { AuditModule } from '../audit/audit.module';
import { IdentityAdminController } from './admin.controller';
import { ApiClientService } from './api-client.service';
import { AuthController } from './auth.controller';
import { AuthGuard } from './auth.guard';
import { AuthService } from './auth.service';
import { hashBodyHook } from './http';
import { OrgService } from './org.service';
import { ScopeService } from './scope.service';
import { UserService } from './user.service';

const HOOKED = Symbol.for('evarchive.identity.bodyHashHook');

/**
 * Identity and access: organisation, users, sessions, machine clients, and the global guard every route
 * passes. Global so every module can inject ScopeService without importing this module.
 */
@Global()
@Module({
  imports: [AuditModule],
  controllers: [AuthController, IdentityAdminController],
  providers: [OrgService, UserService, AuthService, ApiClientService, ScopeService, { provide: APP_GUARD, useClass: AuthGuard }],
  exports: [OrgService, UserService, AuthService, ApiClientService, ScopeService],
})
export class IdentityModule implements OnModuleInit {
  constructor(@Inject(HttpAdapterHost) private readonly adapterHost: HttpAdapterHost) {}

  /** Signed requests cover the body's exact bytes, so hash them as they arrive (before any parser). */
  onModuleInit(): void {
    const instance = this.adapterHost.httpAdapter?.getInstance?.();
    if (!instance || typeof instance.addHook !== 'function' || instance[HOOKED]) return;
    instance[HOOKED] = true;
    instance.addHook('preParsing', hashBodyHook);
  }
}
