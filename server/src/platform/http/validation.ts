import { ValidationPipe, type ValidationError as ClassValidatorError } from '@nestjs/common';
import { ValidationError } from '../errors/errors';

export interface FieldProblem {
  /** Dotted path of the field in the request body or query, e.g. `lines.0.amount`. */
  field: string;
  problems: string[];
}

/** Flattens class-validator's nested errors into one entry per field, naming the full path. */
export function fieldProblems(errors: ClassValidatorError[], prefix = ''): FieldProblem[] {
  const out: FieldProblem[] = [];
  for (const e of errors) {
    const field = prefix ? `${prefix}.${e.property}` : e.property;
    if (e.constraints) out.push({ field, problems: Object.values(e.constraints) });
    if (e.children?.length) out.push(...fieldProblems(e.children, field));
  }
  return out;
}

/**
 * The global pipe: DTO classes validate and transform request input; unknown fields are refused (a typo in a
 * field name must not be silently ignored). A failure becomes the product's ValidationError listing each field.
 */
export function createValidationPipe(): ValidationPipe {
  return new ValidationPipe({
    transform: true,
    whitelist: true,
    forbidNonWhitelisted: true,
    exceptionFactory: (errors) => {
      const fields = fieldProblems(errors);
      const message = `invalid input: ${fields.map((f) => `${f.field}: ${f.problems.join(', ')}`).join('; ')}`;
      return new ValidationError(message, { fields });
    },
  });
}
