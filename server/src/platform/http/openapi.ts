import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { DocumentBuilder, SwaggerModule, type OpenAPIObject } from '@nestjs/swagger';
import { SIGNATURE_HEADERS, SIGNING_RULE } from '../identity/sign-request';

export const DOCS_PATH = 'api/docs';
/** The security scheme of machine clients' signed requests (`@ApiSecurity(SIGNED_REQUEST_SCHEME)` on their routes). */
export const SIGNED_REQUEST_SCHEME = 'signedRequest';
/**
 * An operation's multipart/form-data body, when it also takes JSON: `@ApiExtension(MULTIPART_BODY, schema)`
 * (nestjs/swagger gives every content type of an operation the one `@ApiBody` schema).
 */
export const MULTIPART_BODY = 'x-multipart-body';

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
  SwaggerModule.setup(DOCS_PATH, app, () => withMultipartBodies(SwaggerModule.createDocument(app, config)), {
    jsonDocumentUrl: `${DOCS_PATH}-json`,
    yamlDocumentUrl: `${DOCS_PATH}-yaml`,
  });
}

/** x-evarchive-key → X-Evarchive-Key, as the headers are written in the documentation. */
function headerName(h: string): string {
  return h.replace(/(^|-)([a-z])/g, (_, dash: string, c: string) => dash + c.toUpperCase());
}

/** Moves each operation's `MULTIPART_BODY` extension into its request body as the multipart/form-data content. */
export function withMultipartBodies(doc: OpenAPIObject): OpenAPIObject {
  for (const item of Object.values(doc.paths)) {
    for (const op of Object.values(item) as (Record<string, unknown> & { requestBody?: { content: Record<string, unknown> } })[]) {
      if (!op || typeof op !== 'object' || !(MULTIPART_BODY in op)) continue;
      const schema = op[MULTIPART_BODY];
      delete op[MULTIPART_BODY];
      op.requestBody = { ...(op.requestBody ?? {}), content: { ...(op.requestBody?.content ?? {}), 'multipart/form-data': { schema } } };
    }
  }
  return doc;
}
