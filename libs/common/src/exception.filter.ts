import { ArgumentsHost, Catch, ExceptionFilter, HttpException, Logger } from '@nestjs/common';
import type { Response } from 'express';
import { DomainError, ErrorBody, ReplayedError } from './errors';

const HTTP_CODES: Record<number, string> = {
  400: 'VALIDATION_FAILED',
  401: 'UNAUTHENTICATED',
  403: 'FORBIDDEN_ROLE',
  404: 'NOT_FOUND',
  409: 'CONFLICT',
  413: 'FILE_TOO_LARGE',
  415: 'UNSUPPORTED_FILE_TYPE',
  422: 'BUSINESS_RULE',
  429: 'RATE_LIMITED',
  503: 'UNAVAILABLE',
};

/** Maps every error to API.md's shape `{statusCode, code, message, details}`. */
@Catch()
export class ApiExceptionFilter implements ExceptionFilter {
  private readonly logger = new Logger('ApiExceptionFilter');

  catch(exception: unknown, host: ArgumentsHost): void {
    const res = host.switchToHttp().getResponse<Response>();
    const body = this.toBody(exception);
    if (body.statusCode >= 500)
      this.logger.error(exception instanceof Error ? exception.stack : String(exception));
    res.status(body.statusCode).json(body);
  }

  toBody(exception: unknown): ErrorBody {
    if (exception instanceof DomainError) return exception.toBody();
    if (exception instanceof ReplayedError) return exception.body;
    if (exception instanceof HttpException) {
      const status = exception.getStatus();
      const response = exception.getResponse();
      const message =
        typeof response === 'string'
          ? response
          : typeof (response as { message?: unknown }).message === 'string'
            ? (response as { message: string }).message
            : exception.message;
      const code = HTTP_CODES[status] ?? (status >= 500 ? 'INTERNAL' : 'BAD_REQUEST');
      const details =
        status === 400
          ? [{ field: 'body', problem: message }]
          : status === 413
            ? [{ field: 'file', problem: message }]
            : [];
      return { statusCode: status, code, message, details };
    }
    const parserError = exception as { type?: unknown; status?: unknown };
    if (parserError.type === 'entity.parse.failed') {
      return {
        statusCode: 400,
        code: 'VALIDATION_FAILED',
        message: 'the request body is not valid JSON',
        details: [{ field: 'body', problem: 'not valid JSON' }],
      };
    }
    if (parserError.type === 'entity.too.large') {
      return {
        statusCode: 413,
        code: 'VALIDATION_FAILED',
        message: 'the request body is too large',
        details: [{ field: 'body', problem: 'too large' }],
      };
    }
    const dbCode = (exception as { code?: unknown }).code;
    if (dbCode === 'ECONNREFUSED' || dbCode === '57P01' || dbCode === '53300') {
      return { statusCode: 503, code: 'UNAVAILABLE', message: 'a dependency is unavailable', details: [] };
    }
    return { statusCode: 500, code: 'INTERNAL', message: 'internal error', details: [] };
  }
}
