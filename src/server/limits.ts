/**
 * What one server holds for its clients, bounded: bytes of request bodies buffered in memory
 * (per request and in total), connections, and how long a client may take to send headers and
 * bodies or sit idle. Past a bound a request gets the protocol's "slow down" answer instead of
 * memory, so a flood of partial bodies cannot grow the process.
 */
import type { Server, ServerOptions } from 'node:http';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { AwsError } from '../core/errors.js';
import type { Logger } from '../core/log.js';

const MiB = 1024 * 1024;

export interface LimitOptions {
  /** Largest request body buffered for one request (streamed S3 payloads are not buffered). */
  maxBodyBytes?: number;
  /** All buffered request bodies together; past it requests answer 503 unread. */
  bodyBudgetBytes?: number;
  /** Largest body of a request that carries no SigV4 signature (anonymous S3, AssumeRoleWithWebIdentity). */
  unsignedBodyBytes?: number;
  /** A buffered body must arrive completely within this time. */
  bodyTimeoutMs?: number;
  /** Time for a client to send the request line and headers (node:http headersTimeout). */
  headersTimeoutMs?: number;
  /** Time for a client to send a whole request, streamed bodies included (node:http requestTimeout). */
  requestTimeoutMs?: number;
  /** How long an idle keep-alive connection stays open. */
  keepAliveTimeoutMs?: number;
  /** Concurrent connections; more are closed on arrival. */
  maxConnections?: number;
}

export type Limits = Required<LimitOptions>;

export const DEFAULT_LIMITS: Limits = {
  maxBodyBytes: 16 * MiB,
  bodyBudgetBytes: 256 * MiB,
  unsignedBodyBytes: 1 * MiB,
  bodyTimeoutMs: 30_000,
  headersTimeoutMs: 20_000,
  requestTimeoutMs: 300_000,
  keepAliveTimeoutMs: 65_000,
  maxConnections: 512,
};

export function resolveLimits(opts: LimitOptions): Limits {
  const out = { ...DEFAULT_LIMITS };
  for (const k of Object.keys(DEFAULT_LIMITS) as Array<keyof Limits>) {
    const v = opts[k];
    if (v === undefined) continue;
    if (!Number.isInteger(v) || v <= 0) throw new RangeError(`${k} must be a positive integer, got ${String(v)}`);
    out[k] = v;
  }
  // node:http requires the header timeout not to exceed the request timeout.
  out.headersTimeoutMs = Math.min(out.headersTimeoutMs, out.requestTimeoutMs);
  return out;
}

/** node:http's own timeouts, checked every second (node's default of 30 s would stretch a 20 s header timeout to 50 s). */
export function serverOptions(limits: Limits): ServerOptions {
  return {
    keepAliveTimeout: limits.keepAliveTimeoutMs,
    headersTimeout: limits.headersTimeoutMs,
    requestTimeout: limits.requestTimeoutMs,
    connectionsCheckingInterval: 1000,
  };
}

/** The connection cap on a node:http server (and the timeouts again, for a server made elsewhere). */
export function applyServerLimits(server: Server, limits: Limits, log: Logger): void {
  server.headersTimeout = limits.headersTimeoutMs;
  server.requestTimeout = limits.requestTimeoutMs;
  server.keepAliveTimeout = limits.keepAliveTimeoutMs;
  server.maxConnections = limits.maxConnections;
  let warned = 0;
  server.on('drop', (data?: { remoteAddress?: string }) => {
    // One line per minute at most: a flood must not become a flood of log lines.
    const now = Date.now();
    if (now - warned < 60_000) return;
    warned = now;
    log.warn('connection refused: at the connection limit', { maxConnections: limits.maxConnections, remoteAddress: data?.remoteAddress });
  });
}

/**
 * The server-wide count of buffered body bytes. One instance per server (in ServerDeps); each
 * request takes a lease and gives it back when its response is done.
 */
export class BodyBudget {
  private usedBytes = 0;
  private releasedSinceCollect = 0;
  private collectTimer: NodeJS.Timeout | undefined;
  /** `collect` defaults to V8's gc(), found on the first collection (a new V8 context costs start-up ~14 ms). */
  constructor(readonly totalBytes: number, private collect: (() => void) | undefined | 'lazy' = 'lazy') {}

  get used(): number {
    return this.usedBytes;
  }

  private refusals = 0;
  private lastReport = -Infinity;

  /** Counts a refusal; returns how many there were since the last report, at most once per 10 s (else 0). */
  refused(nowMs: number): number {
    this.refusals++;
    if (nowMs - this.lastReport < 10_000) return 0;
    this.lastReport = nowMs;
    const n = this.refusals;
    this.refusals = 0;
    return n;
  }

  lease(): BodyLease {
    return new BodyLease(this);
  }

  /** @internal BodyLease only. */
  tryTake(n: number): boolean {
    if (this.usedBytes + n > this.totalBytes) return false;
    this.usedBytes += n;
    return true;
  }

  /** @internal BodyLease only. */
  give(n: number): void {
    this.usedBytes = Math.max(0, this.usedBytes - n);
    this.releasedSinceCollect += n;
    if (this.releasedSinceCollect >= RECLAIM_AFTER_BYTES) this.scheduleCollect();
  }

  /**
   * Large bodies live outside V8's heap and are freed only when a collection finds them
   * unreachable; an idle server runs none, so after a burst of big or abandoned bodies its RSS
   * would stay high. One full collection shortly after such a burst gives the memory back.
   */
  private scheduleCollect(): void {
    if (this.collect === 'lazy') this.collect = collector();
    if (this.collectTimer || !this.collect) return;
    this.collectTimer = setTimeout(() => {
      this.collectTimer = undefined;
      this.releasedSinceCollect = 0;
      if (typeof this.collect === 'function') this.collect();
    }, 1000);
    this.collectTimer.unref();
  }
}

/** Released body bytes that warrant a collection. */
const RECLAIM_AFTER_BYTES = 64 * MiB;

/** V8's gc(), made available without a command-line flag (the flag only affects new contexts). */
function collector(): (() => void) | undefined {
  const own = (globalThis as { gc?: () => void }).gc;
  if (typeof own === 'function') return own;
  try {
    setFlagsFromString('--expose-gc');
    const gc = runInNewContext('gc') as () => void;
    setFlagsFromString('--no-expose-gc');
    return typeof gc === 'function' ? gc : undefined;
  } catch {
    return undefined;
  }
}

export class BodyLease {
  private held = 0;
  private released = false;
  constructor(private readonly budget: BodyBudget) {}

  /** Takes n more bytes of the budget; false (and nothing taken) when it cannot. */
  take(n: number): boolean {
    if (this.released || !this.budget.tryTake(n)) return false;
    this.held += n;
    return true;
  }

  get bytes(): number {
    return this.held;
  }

  /** Gives everything back; safe to call more than once. */
  release(): void {
    if (this.released) return;
    this.released = true;
    this.budget.give(this.held);
    this.held = 0;
  }
}

/** Whether a request carries a SigV4 signature in the shape AWS clients send (checked before buffering). */
export function looksSigned(headers: Record<string, string | undefined>, query: string): boolean {
  const auth = headers['authorization'];
  if (auth !== undefined) return /^AWS4-HMAC-SHA256 +Credential=[^\s,/]+\/\d{8}\/[^\s,/]+\/[^\s,/]+\/aws4_request *, *SignedHeaders=[^\s,]+ *, *Signature=[0-9a-f]{64}\s*$/.test(auth);
  return /(?:^|&)X-Amz-Signature=[0-9a-f]{64}(?:&|$)/.test(query) && /(?:^|&)X-Amz-Credential=/.test(query);
}

/** The per-request cap for a buffered body: the full cap for signed requests, a small one otherwise. */
export function bodyCap(limits: Limits, signed: boolean): number {
  return signed ? limits.maxBodyBytes : Math.min(limits.unsignedBodyBytes, limits.maxBodyBytes);
}

const fmtMiB = (n: number) => `${Math.round((n / MiB) * 10) / 10} MiB`;

/** The answer when the body budget is spent: S3's SlowDown, the other protocols' ServiceUnavailable. */
export function overloaded(s3: boolean, budget: BodyBudget): AwsError {
  const why = `cloudlet holds ${fmtMiB(budget.used)} of request bodies in memory, its limit is ${fmtMiB(budget.totalBytes)} (--body-budget-mb); retry shortly`;
  return s3
    ? new AwsError('SlowDown', `Please reduce your request rate. (${why})`, 503, { headers: { 'retry-after': '1' } })
    : new AwsError('ServiceUnavailable', `The request has failed due to a temporary failure of the server. (${why})`, 503, { headers: { 'retry-after': '1' } });
}

export function bodyTooLarge(max: number, signed: boolean): AwsError {
  const unsigned = signed ? '' : ' for a request without a SigV4 signature';
  return new AwsError('RequestEntityTooLarge', `Request body exceeds the maximum allowed size of ${max} bytes${unsigned}`, 413);
}

/** S3's RequestTimeout (400); the other protocols get the same code as HTTP 408. */
export function bodyTimedOut(s3: boolean, ms: number): AwsError {
  return new AwsError(
    'RequestTimeout',
    `Your socket connection to the server was not read from or written to within the timeout period. (the body did not arrive within ${ms / 1000} s)`,
    s3 ? 400 : 408,
  );
}
