import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { DocumentBuilder, SwaggerModule } from '@nestjs/swagger';
import { SIGNATURE_HEADERS, SIGNING_RULE } from '../identity/sign-request';

export const DOCS_PATH = 'api/docs';
/** The security scheme of machine clients' signed requests (`@ApiSecurity(SIGNED_REQUEST_SCHEME)` on their routes). */
export const SIGNED_REQUEST_SCHEME = 'signedRequest';

/** Swagger UI at /api/docs and the OpenAPI document at /api/docs-json, generated from controllers and DTOs. */
export function setupOpenApi(app: NestFastifyApplication, version: string): void {
  const config = new DocumentBuilder()
    .setTitle('evarchive API')
    .setDescription('电子会计档案系统 — electronic accounting archive. Errors are JSON {code, message, details?}.')
    .setVersion(version)
    .addCookieAuth('evarchive_session')
    .addBearerAuth({ type: 'http', scheme: 'bearer', description: 'people: the `token` answered by POST /api/auth/login' }, 'bearer')
    // OpenAPI has no HMAC scheme: the key header is declared, the rest of the rule is in the description.
    .addApiKey({ type: 'apiKey', in: 'header', name: headerName(SIGNATURE_HEADERS.key), description: SIGNING_RULE }, SIGNED_REQUEST_SCHEME)
    .build();
  // Built on first request: every module's controllers are registered by then, and start-up stays fast.
  SwaggerModule.setup(DOCS_PATH, app, () => SwaggerModule.createDocument(app, config), {
    jsonDocumentUrl: `${DOCS_PATH}-json`,
    yamlDocumentUrl: `${DOCS_PATH}-yaml`,
  });
}

/** x-evarchive-key → X-Evarchive-Key, as the headers are written in the documentation. */
function headerName(h: string): string {
  return h.replace(/(^|-)([a-z])/g, (_, dash: string, c: string) => dash + c.toUpperCase());
}
