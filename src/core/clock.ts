/**
 * The one clock all time-based behaviour reads (token expiry, lifecycle rules, instance
 * state transitions, billing). It is real time plus an offset, so tests and demos can
 * fast-forward without sleeping.
 */
export class Clock {
  private offsetMs: number;

  constructor(offsetMs = 0, private readonly realNow: () => number = Date.now) {
    this.offsetMs = offsetMs;
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

  advance(ms: number): void {
    if (!Number.isFinite(ms) || ms < 0) throw new RangeError('the clock only moves forward');
    this.offsetMs += ms;
  }

  setOffset(ms: number): void {
    this.offsetMs = ms;
  }
}

const UNIT_MS: Record<string, number> = {
  ms: 1, s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000, w: 604_800_000,
};

/** Parses "31d", "12h", "90m", "1h30m", "500ms", or a plain number of seconds. */
export function parseDuration(text: string): number {
  const t = text.trim();
  if (/^\d+(\.\d+)?$/.test(t)) return Number(t) * 1000;
  const re = /(\d+(?:\.\d+)?)(ms|s|m|h|d|w)/gy;
  let total = 0;
  let matched = 0;
  for (let m = re.exec(t); m; m = re.exec(t)) {
    total += Number(m[1]) * UNIT_MS[m[2]!]!;
    matched = re.lastIndex;
  }
  if (matched === 0 || matched !== t.length) throw new RangeError(`not a duration: ${JSON.stringify(text)} (use e.g. 31d, 12h, 90m, 45s)`);
  return total;
}
