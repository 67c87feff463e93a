/**
 * The one error type of the application. Its code decides the HTTP status and the
 * `error.code` of the envelope clients see (API.md, "Errors").
 */
export const errorStatus = {
  bad_request: 400,
  invalid_json: 400,
  invalid_signature: 400,
  validation_failed: 422,
  unauthenticated: 401,
  invalid_credentials: 401,
  forbidden: 403,
  not_found: 404,
  method_not_allowed: 405,
  conflict: 409,
  payload_too_large: 413,
  unsupported_media_type: 415,
  headers_too_large: 431,
  limit_exceeded: 402,
  rate_limited: 429,
  service_unavailable: 503,
  internal: 500,
} as const;

export type ErrorCode = keyof typeof errorStatus;

export interface FieldIssue {
  path: string;
  message: string;
}

export class AppError extends Error {
  override name = "AppError";
  constructor(
    readonly code: ErrorCode,
    message: string,
    readonly details?: unknown,
    readonly init?: { status?: number; headers?: Record<string, string> },
  ) {
    super(message);
  }

  get status(): number {
    return this.init?.status ?? errorStatus[this.code];
  }
}

export const notFound = (what = "Resource") => new AppError("not_found", `${what} not found.`);
export const forbidden = (message = "You do not have permission to do this.") => new AppError("forbidden", message);
export const unauthenticated = (message = "Sign in, or send a valid bearer token.") =>
  new AppError("unauthenticated", message);
