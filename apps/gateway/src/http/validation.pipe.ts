import { ValidationError, ValidationPipe } from '@nestjs/common';
import { DomainError, ErrorCode } from '@wellifiy/contracts';
import { describeFieldErrors, flattenValidationErrors } from '@wellifiy/messaging';

/** Whitelist, refuse unknown fields, transform; errors name every bad field. */
export function createValidationPipe(): ValidationPipe {
  return new ValidationPipe({
    whitelist: true,
    forbidNonWhitelisted: true,
    transform: true,
    forbidUnknownValues: true,
    exceptionFactory: (errors: ValidationError[]) => {
      const fields = flattenValidationErrors(errors);
      return new DomainError(ErrorCode.ValidationFailed, describeFieldErrors(fields), fields);
    },
  });
}
