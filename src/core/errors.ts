/**
 * Every failure a client can cause is an AwsError carrying the exact code AWS uses.
 * The protocol layer renders it in the shape of the service's protocol; nothing else
 * turns errors into bytes.
 */
export class AwsError extends Error {
  readonly code: string;
  readonly status: number;
  /** Client fault (4xx, "Sender") or service fault (5xx, "Receiver"). */
  readonly sender: boolean;
  /** Extra members some error shapes carry (S3 puts BucketName, Key, ... beside Code). */
  readonly fields: Record<string, string>;
  /** Response headers some errors need (S3 x-amz-bucket-region, Retry-After). */
  readonly headers: Record<string, string>;

  constructor(
    code: string,
    message: string,
    status = 400,
    opts: { fields?: Record<string, string>; headers?: Record<string, string> } = {},
  ) {
    super(message);
    this.name = 'AwsError';
    this.code = code;
    this.status = status;
    this.sender = status < 500;
    this.fields = opts.fields ?? {};
    this.headers = opts.headers ?? {};
  }
}

export const isAwsError = (e: unknown): e is AwsError => e instanceof AwsError;

/** What a client is told of a failure: its AwsError, or InternalFailure after `internal` has logged the real fault. */
export function asAwsError(err: unknown, internal: (stack: string) => void): AwsError {
  if (isAwsError(err)) return err;
  internal((err as Error)?.stack ?? String(err));
  return internalFailure();
}

/** The generic fault answer: the client sees a request ID, never a stack. */
export function internalFailure(): AwsError {
  return new AwsError('InternalFailure', 'The request processing has failed because of an unknown error, exception or failure.', 500);
}

export function notImplemented(service: string, operation: string): AwsError {
  return new AwsError(
    'NotImplemented',
    `cloudlet does not implement ${service}:${operation} yet`,
    501,
  );
}
