/** A failure that retrying cannot fix (a corrupt file, a rejected key): the job fails at once. */
export class PermanentJobError extends Error {
  override name = "PermanentJobError";
}

/** A transient failure with a known wait (e.g. a rate limit's RetryInfo). */
export class RetryLaterError extends Error {
  override name = "RetryLaterError";
  constructor(
    message: string,
    readonly delayMs: number,
  ) {
    super(message);
  }
}
