import fastifyStatic, { type FastifyStaticOptions } from '@fastify/static';
import { FastifyAdapter } from '@nestjs/platform-fastify';

/**
 * Nest's Fastify adapter, except that static assets (Swagger UI, the web app) are served with the server
 * workspace's own @fastify/static. Nest's adapter would `require('@fastify/static')` from its own folder, where
 * npm did not hoist it (platform-fastify declares a peer range the installed 9.x does not meet), and on a
 * failed require Nest exits the process.
 */
export class EvarchiveFastifyAdapter extends FastifyAdapter {
  override useStaticAssets(options: FastifyStaticOptions) {
    return this.register(fastifyStatic as any, options);
  }
}
