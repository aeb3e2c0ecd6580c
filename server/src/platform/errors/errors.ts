/**
 * One error hierarchy for the whole product. Every error a user can cause carries a stable code, a message
 * that names the problem (and the file or field where there is one) and an HTTP status; the HTTP layer maps
 * them in one place (platform/http/error.filter.ts), the CLI prints `code: message`.
 */
export class AppError extends Error {
  constructor(
    readonly code: string,
    message: string,
    readonly status: number = 400,
    readonly details?: Record<string, unknown>,
  ) {
    super(message);
    this.name = new.target.name;
  }
}

/** Input that cannot be accepted as given (bad field, malformed file). */
export class ValidationError extends AppError {
  constructor(message: string, details?: Record<string, unknown>, code = 'invalid_input') {
    super(code, message, 400, details);
  }
}

export class NotFoundError extends AppError {
  constructor(message: string, details?: Record<string, unknown>) {
    super('not_found', message, 404, details);
  }
}

/** The request conflicts with the current state (a second claim, a write to a write-once object). */
export class ConflictError extends AppError {
  constructor(message: string, details?: Record<string, unknown>, code = 'conflict') {
    super(code, message, 409, details);
  }
}

export class UnauthenticatedError extends AppError {
  constructor(message = 'authentication required', code = 'unauthenticated') {
    super(code, message, 401);
  }
}

export class ForbiddenError extends AppError {
  constructor(message = 'not allowed', details?: Record<string, unknown>) {
    super('forbidden', message, 403, details);
  }
}

/** The configuration is unusable; raised at start with every problem listed. */
export class ConfigError extends AppError {
  constructor(readonly problems: string[]) {
    super('invalid_config', `invalid configuration:\n  - ${problems.join('\n  - ')}`, 500, { problems });
  }
}
