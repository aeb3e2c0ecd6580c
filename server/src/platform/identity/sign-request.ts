import { createHash, createHmac, randomBytes } from 'node:crypto';

/**
 * Signed requests of machine clients (the one mechanism for every integration). Client side: `signRequest`
 * gives the four headers; server side the same `requestSignature` is recomputed. Depends on node:crypto only,
 * so connectors, tests and the demo can import it alone.
 *
 *   X-Evarchive-Signature = hex HMAC-SHA256(secret,
 *       METHOD + "\n" + path-with-query + "\n" + timestamp + "\n" + nonce + "\n" + hex SHA-256(body))
 *
 * timestamp: Unix seconds; nonce: 16–128 characters [A-Za-z0-9_-], never reused within the replay window.
 */
export const SIGNATURE_HEADERS = {
  key: 'x-evarchive-key',
  timestamp: 'x-evarchive-timestamp',
  nonce: 'x-evarchive-nonce',
  signature: 'x-evarchive-signature',
} as const;

/** The signing rule as integrators read it (the OpenAPI security scheme's description at /api/docs). */
export const SIGNING_RULE = [
  'Machine clients (issuers, reimbursement and accounting systems, collectors) sign every request with the key id and',
  'secret printed once by `evarchive client add` (or POST /api/admin/api-clients). Four headers:',
  '',
  '- `X-Evarchive-Key`: the key id;',
  '- `X-Evarchive-Timestamp`: Unix seconds, within the server\'s replay window (EVARCHIVE_API_KEY_WINDOW_SECONDS, default 300);',
  '- `X-Evarchive-Nonce`: 16–128 characters of letters, digits, `_` or `-`, never used twice;',
  '- `X-Evarchive-Signature`: hex HMAC-SHA256 (either case) with the secret as key over the UTF-8 text',
  '  `METHOD + "\\n" + path-with-query + "\\n" + timestamp + "\\n" + nonce + "\\n" + hex SHA-256(body bytes)`,',
  '  METHOD upper-case, the path as sent (e.g. `/api/pool/receiver/vouchers?invoiceNumber=123`), an empty body hashed as empty.',
  '',
  'A refused signature answers 401 with `code`: signature_missing, unknown_key, timestamp_out_of_window, nonce_invalid,',
  'signature_invalid, nonce_reused or key_unreadable. Any method on `/api/auth/client`, signed, answers who the key is',
  'and the SHA-256 the server computed of the body: a way to test a client\'s signing.',
].join('\n');

export function sha256Hex(body: string | Buffer | Uint8Array = ''): string {
  return createHash('sha256').update(body).digest('hex');
}

export function requestSignature(secret: string, method: string, pathWithQuery: string, timestamp: string, nonce: string, bodySha256Hex: string): string {
  const text = `${method.toUpperCase()}\n${pathWithQuery}\n${timestamp}\n${nonce}\n${bodySha256Hex}`;
  return createHmac('sha256', secret).update(text, 'utf8').digest('hex');
}

export interface SignRequestInput {
  keyId: string;
  secret: string;
  method: string;
  /** Path and query exactly as sent, e.g. `/api/pool/vouchers?source=issuer`. */
  path: string;
  /** The exact bytes sent as the body (a string is taken as UTF-8); omit for no body. */
  body?: string | Buffer | Uint8Array;
  /** Defaults: now and 16 random bytes. */
  timestamp?: number | Date;
  nonce?: string;
}

export function signRequest(input: SignRequestInput): Record<string, string> {
  const ts = input.timestamp instanceof Date ? Math.floor(input.timestamp.getTime() / 1000) : (input.timestamp ?? Math.floor(Date.now() / 1000));
  const timestamp = String(ts);
  const nonce = input.nonce ?? randomBytes(16).toString('hex');
  return {
    'X-Evarchive-Key': input.keyId,
    'X-Evarchive-Timestamp': timestamp,
    'X-Evarchive-Nonce': nonce,
    'X-Evarchive-Signature': requestSignature(input.secret, input.method, input.path, timestamp, nonce, sha256Hex(input.body ?? '')),
  };
}
