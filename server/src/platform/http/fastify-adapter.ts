import fastifyStatic, { type FastifyStaticOptions } from '@fastify/static';
import { FastifyAdapter } from '@nestjs/platform-fastify';
import { installRequestChecks, requestCheckOptions } from './request-checks';

/**
 * Nest's Fastify adapter, except that static assets (Swagger UI, the web app) are served with the server
 * workspace's own @fastify/static. Nest's adapter would `require('@fastify/static')` from its own folder, where
 * npm did not hoist it (platform-fastify declares a peer range the installed 9.x does not meet), and on a
 * failed require Nest exits the process. Every request first passes the checks of request-checks.ts.
 */
export class EvarchiveFastifyAdapter extends FastifyAdapter {
  constructor(options?: ConstructorParameters<typeof FastifyAdapter>[0]) {
    super(options && 'server' in options ? options : requestCheckOptions(options as never));
    installRequestChecks(this.getInstance() as never);
  }

  override useStaticAssets(options: FastifyStaticOptions) {
    return this.register(fastifyStatic as any, options);
  }
}
