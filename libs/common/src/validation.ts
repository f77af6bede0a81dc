import { ValidationError, ValidationPipe } from '@nestjs/common';
import { DomainError, ErrorDetail } from './errors';

function flatten(errors: ValidationError[], prefix = ''): ErrorDetail[] {
  const out: ErrorDetail[] = [];
  for (const e of errors) {
    const field = prefix ? `${prefix}.${e.property}` : e.property;
    if (e.constraints) {
      for (const problem of Object.values(e.constraints)) out.push({ field, problem });
    }
    if (e.children && e.children.length > 0) out.push(...flatten(e.children, field));
  }
  return out;
}

/** The one global pipe: whitelist, forbidNonWhitelisted, transform; errors become VALIDATION_FAILED with fields. */
export function createValidationPipe(): ValidationPipe {
  return new ValidationPipe({
    whitelist: true,
    forbidNonWhitelisted: true,
    transform: true,
    transformOptions: { enableImplicitConversion: false },
    validationError: { target: false, value: false },
    exceptionFactory: (errors: ValidationError[]) => {
      const details = flatten(errors);
      const fields = [...new Set(details.map((d) => d.field))].join(', ');
      return new DomainError('VALIDATION_FAILED', `invalid request: ${fields}`, details);
    },
  });
}
