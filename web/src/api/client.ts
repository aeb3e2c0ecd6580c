/**
 * The one way the web app talks to the server: JSON over fetch, same-origin cookie session
 * (`evarchive_session`, HTTP-only, so the token never reaches script). Every non-2xx answer becomes an
 * `ApiError` carrying the server's `{code, message, details}`, so pages branch on stable codes, never on text.
 */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly details?: Record<string, unknown>,
    /** The whole JSON answer, for the few endpoints whose error answer is itself data (e.g. health's 503). */
    readonly body?: unknown,
  ) {
    super(message);
    this.name = 'ApiError';
  }
}

type UnauthorizedListener = () => void;
const unauthorizedListeners = new Set<UnauthorizedListener>();

/**
 * Called when any request (other than the login attempt itself) answers 401: the session expired or was
 * revoked, and the auth context sends the user to the login page.
 */
export function onUnauthorized(listener: UnauthorizedListener): () => void {
  unauthorizedListeners.add(listener);
  return () => unauthorizedListeners.delete(listener);
}

export interface RequestOptions {
  /** A 401 from this request is an expected answer (login, the first /me), not an expired session. */
  expect401?: boolean;
  signal?: AbortSignal;
}

async function request<T>(method: string, path: string, body?: unknown, opts: RequestOptions = {}): Promise<T> {
  let res: Response;
  try {
    res = await fetch(path, {
      method,
      credentials: 'same-origin',
      headers: body === undefined ? { Accept: 'application/json' } : { Accept: 'application/json', 'Content-Type': 'application/json' },
      body: body === undefined ? undefined : JSON.stringify(body),
      signal: opts.signal,
    });
  } catch (e) {
    if ((e as Error).name === 'AbortError') throw e;
    throw new ApiError(0, 'network_error', (e as Error).message);
  }
  const text = await res.text();
  let json: unknown = undefined;
  if (text) {
    try {
      json = JSON.parse(text);
    } catch {
      // A proxy or gateway error page: keep the status, there is no server code to report.
      json = undefined;
    }
  }
  if (!res.ok) {
    const err = (json ?? {}) as { code?: unknown; message?: unknown; details?: unknown };
    if (res.status === 401 && !opts.expect401) unauthorizedListeners.forEach((l) => l());
    throw new ApiError(
      res.status,
      typeof err.code === 'string' ? err.code : `http_${res.status}`,
      typeof err.message === 'string' ? err.message : res.statusText || `HTTP ${res.status}`,
      err.details && typeof err.details === 'object' ? (err.details as Record<string, unknown>) : undefined,
      json,
    );
  }
  return json as T;
}

export const api = {
  get: <T>(path: string, opts?: RequestOptions) => request<T>('GET', path, undefined, opts),
  post: <T>(path: string, body?: unknown, opts?: RequestOptions) => request<T>('POST', path, body ?? {}, opts),
  put: <T>(path: string, body?: unknown, opts?: RequestOptions) => request<T>('PUT', path, body ?? {}, opts),
  patch: <T>(path: string, body?: unknown, opts?: RequestOptions) => request<T>('PATCH', path, body ?? {}, opts),
  delete: <T>(path: string, opts?: RequestOptions) => request<T>('DELETE', path, undefined, opts),
};
