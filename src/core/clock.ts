/**
 * How far the clock may run ahead of real time: 100 years (of 365.25 days). Far enough for
 * any expiry, retention or billing period a test fast-forwards through, and far inside
 * what a JavaScript Date (and an ISO 8601 timestamp on the wire) can hold, so `now()` is
 * always a valid date.
 */
export const MAX_CLOCK_OFFSET_MS = 100 * 365.25 * 86_400_000;

/** A clock value that is out of range or not a duration; answered as a 400 with this message. */
export class ClockValueError extends RangeError {
  constructor(message: string) {
    super(message);
    this.name = 'ClockValueError';
  }
}

/** Throws unless `ms` is an offset the clock may hold: whole milliseconds, 0 to MAX_CLOCK_OFFSET_MS. */
export function checkClockOffset(ms: number): number {
  if (!Number.isSafeInteger(ms) || ms < 0 || ms > MAX_CLOCK_OFFSET_MS) {
    throw new ClockValueError(
      `the clock offset must be between 0 and ${MAX_CLOCK_OFFSET_MS} ms (100 years ahead of real time), got ${Number.isFinite(ms) ? `${ms} ms` : String(ms)}`,
    );
  }
  return ms;
}

/**
 * The offset a state database records (meta clock_offset_ms). A missing value is 0; a value
 * this cloudlet would refuse (an older version persisted any advance, e.g. 99999999999d) is
 * ignored, so the server still starts with the clock at real time, and `warn` says so.
 */
export function offsetFromMeta(raw: string | undefined, warn?: (message: string) => void): number {
  if (raw === undefined || raw === '') return 0;
  const ms = Number(raw);
  try {
    return checkClockOffset(Math.round(ms));
  } catch (err) {
    warn?.(`ignoring the stored clock offset ${JSON.stringify(raw.slice(0, 40))}: ${(err as Error).message}; the clock runs at real time`);
    return 0;
  }
}

/**
 * The one clock all time-based behaviour reads (token expiry, lifecycle rules, instance
 * state transitions, billing). It is real time plus an offset, so tests and demos can
 * fast-forward without sleeping.
 */
export class Clock {
  private offsetMs: number;

  constructor(offsetMs = 0, private readonly realNow: () => number = Date.now) {
    this.offsetMs = checkClockOffset(offsetMs);
  }

  nowMs(): number {
    return this.realNow() + this.offsetMs;
  }

  now(): Date {
    return new Date(this.nowMs());
  }

  offset(): number {
    return this.offsetMs;
  }

  /** The offset after advancing by `ms`, checked; nothing changes. */
  advanced(ms: number): number {
    if (!Number.isFinite(ms) || ms < 0) throw new ClockValueError('the clock only moves forward');
    const next = Math.round(this.offsetMs + ms);
    if (next > MAX_CLOCK_OFFSET_MS) {
      throw new ClockValueError(
        `advancing by ${ms} ms would put the clock ${next} ms ahead of real time; at most ${MAX_CLOCK_OFFSET_MS} ms (100 years) is allowed`,
      );
    }
    return checkClockOffset(next);
  }

  /** Checked before anything changes: a refused advance leaves the clock as it was. */
  advance(ms: number): void {
    this.offsetMs = this.advanced(ms);
  }

  setOffset(ms: number): void {
    this.offsetMs = checkClockOffset(ms);
  }
}

const UNIT_MS: Record<string, number> = {
  ms: 1, s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000, w: 604_800_000,
};

/** Parses "31d", "12h", "90m", "1h30m", "500ms", or a plain number of seconds. */
export function parseDuration(text: string): number {
  // Long input is refused before the regular expressions see it (all of them run in linear time anyway).
  if (text.length > 64) throw new ClockValueError(`not a duration: ${JSON.stringify(`${text.slice(0, 40)}…`)} (use e.g. 31d, 12h, 90m, 45s)`);
  const t = text.trim();
  if (/^\d+(\.\d+)?$/.test(t)) return Number(t) * 1000;
  const re = /(\d+(?:\.\d+)?)(ms|s|m|h|d|w)/gy;
  let total = 0;
  let matched = 0;
  for (let m = re.exec(t); m; m = re.exec(t)) {
    total += Number(m[1]) * UNIT_MS[m[2]!]!;
    matched = re.lastIndex;
  }
  if (matched === 0 || matched !== t.length) throw new ClockValueError(`not a duration: ${JSON.stringify(text)} (use e.g. 31d, 12h, 90m, 45s)`);
  return total;
}
