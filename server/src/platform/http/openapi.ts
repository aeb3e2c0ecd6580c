import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { DocumentBuilder, SwaggerModule } from '@nestjs/swagger';

export const DOCS_PATH = 'api/docs';

/** Swagger UI at /api/docs and the OpenAPI document at /api/docs-json, generated from controllers and DTOs. */
export function setupOpenApi(app: NestFastifyApplication, version: string): void {
  const config = new DocumentBuilder()
    .setTitle('evarchive API')
    .setDescription('电子会计档案系统 — electronic accounting archive. Errors are JSON {code, message, details?}.')
    .setVersion(version)
    .addCookieAuth('evarchive_session')
    .build();
  // Built on first request: every module's controllers are registered by then, and start-up stays fast.
  SwaggerModule.setup(DOCS_PATH, app, () => SwaggerModule.createDocument(app, config), {
    jsonDocumentUrl: `${DOCS_PATH}-json`,
    yamlDocumentUrl: `${DOCS_PATH}-yaml`,
  });
}
