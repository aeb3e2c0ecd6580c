import type { FastifyPluginAsync } from 'fastify';
// Type-only: brings request.cookies / reply.setCookie and request.file() into every module's Fastify types.
import type {} from '@fastify/cookie';
import type {} from '@fastify/multipart';

/**
 * @fastify/cookie loads the ESM-only `cookie` package with a dynamic import(). Jest on Node 20 runs modules in
 * a VM context where dynamic import() throws unless Node runs with --experimental-vm-modules, and Jest also
 * replaces createRequire/getBuiltinModule, so every HTTP test would fail at start-up. Loading the resolved
 * file through Node's own module loader keeps import() working; outside Jest this is exactly a plain require.
 * (Removable once jest.config.ts lets swc transform @fastify/cookie and cookie.)
 */
export function loadCookiePlugin(): FastifyPluginAsync {
  const path = require.resolve('@fastify/cookie');
  const nodeModule = require('node:module') as { _load(request: string, parent: null, isMain: boolean): any };
  const mod = nodeModule._load(path, null, false);
  return (mod.default ?? mod) as FastifyPluginAsync;
}
