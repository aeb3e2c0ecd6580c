import fastifyStatic from '@fastify/static';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

/**
 * Client-side routes of the single-page app (`/pool/123`) exist only in the browser: a GET for a path outside
 * /api without a file extension that matched no file is answered with index.html, and the app routes it.
 */
export class SpaFallback {
  constructor(private readonly dir: string) {}

  serves(req: FastifyRequest | undefined): boolean {
    if (!req || (req.method !== 'GET' && req.method !== 'HEAD')) return false;
    const path = (req.url ?? '/').split('?')[0];
    if (path === '/api' || path.startsWith('/api/')) return false;
    const last = path.slice(path.lastIndexOf('/') + 1);
    return !last.includes('.') && existsSync(join(this.dir, 'index.html'));
  }

  send(reply: FastifyReply): void {
    // Read on every request: a rebuilt web app is picked up without a restart, and the file is small.
    const html = readFileSync(join(this.dir, 'index.html'));
    reply.status(200).header('content-type', 'text/html; charset=utf-8').header('cache-control', 'no-cache').send(html);
  }
}

/** Serves the built web app at `/` when `dir/index.html` exists; returns the SPA fallback, or undefined. */
export async function serveWebApp(app: NestFastifyApplication, dir: string): Promise<SpaFallback | undefined> {
  if (!existsSync(join(dir, 'index.html'))) return undefined;
  await app.register(fastifyStatic as any, {
    root: dir,
    prefix: '/',
    index: ['index.html'],
    // Swagger UI's static registration decorates the reply already; two decorations would clash.
    decorateReply: false,
  });
  return new SpaFallback(dir);
}
