/** Stable error codes of the public contract (API.md) and the HTTP status each maps to. */
export const ERROR_STATUS = {
  VALIDATION_FAILED: 400,
  UNAUTHENTICATED: 401,
  FORBIDDEN_ROLE: 403,
  FORBIDDEN_JURISDICTION: 403,
  NOT_FOUND: 404,
  IDEMPOTENCY_CONFLICT: 409,
  INVALID_TRANSITION: 409,
  CONFLICT: 409,
  CHANGE_PENDING: 409,
  FILE_TOO_LARGE: 413,
  UNSUPPORTED_FILE_TYPE: 415,
  INSUFFICIENT_BALANCE: 422,
  PROJECT_NOT_APPROVED: 422,
  NEGATIVE_LIST: 422,
  SOURCE_NOT_PERMITTED: 422,
  PERIOD_CLOSED: 422,
  INVALID_TARGET: 422,
  PERIOD_NOT_CLOSED: 422,
  BUSINESS_RULE: 422,
  MANAGEMENT_FEE_LIMIT: 422,
  DUPLICATE_INVOICE: 422,
  PROGRESS_REGRESSION: 422,
  BUDGET_BELOW_FUNDED: 422,
  IMPORT_REJECTED: 422,
  RATE_LIMITED: 429,
  INTERNAL: 500,
  UNAVAILABLE: 503,
} as const;

export type ErrorCode = keyof typeof ERROR_STATUS;

export interface ErrorDetail {
  field: string;
  problem: string;
}

export interface ErrorBody {
  statusCode: number;
  code: string;
  message: string;
  details: ErrorDetail[];
  /** more about the refusal where a code needs it (an import's row-level report) */
  [more: string]: unknown;
}

/** A mistake of the caller or a broken business rule; the filter turns it into the API.md error shape. */
export class DomainError extends Error {
  readonly status: number;
  constructor(
    readonly code: ErrorCode,
    message: string,
    readonly details: ErrorDetail[] = [],
    readonly more: Record<string, unknown> = {},
  ) {
    super(message);
    this.status = ERROR_STATUS[code];
  }

  toBody(): ErrorBody {
    return {
      statusCode: this.status,
      code: this.code,
      message: this.message,
      details: this.details,
      ...this.more,
    };
  }
}

/** An answer stored by idempotency and replayed verbatim (status and body as first given). */
export class ReplayedError extends Error {
  constructor(readonly body: ErrorBody) {
    super(body.message);
  }
}

export const notFound = (what: string, id: string): DomainError =>
  new DomainError('NOT_FOUND', `${what} ${id} not found`, [{ field: 'id', problem: 'not found' }]);
