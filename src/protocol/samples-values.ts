import type { ServiceModel } from './models.js';
import type { Shape } from './model-types.js';
import type { Rng } from './samples-rng.js';
import { PLACE_TEXT, textFor, type Place } from './samples-text.js';
import type { SampleMode, SampleOptions } from './samples-types.js';

// The leaf values (numbers, timestamps, blobs, strings, documents, names with fixed
// syntax): the part of the generator that needs no walk over structures, lists or maps.

const TYPE_BOUNDS: Record<string, [number, number]> = {
  byte: [-128, 127],
  short: [-32768, 32767],
  integer: [-2147483648, 2147483647],
  long: [-Number.MAX_SAFE_INTEGER, Number.MAX_SAFE_INTEGER],
  biginteger: [-Number.MAX_SAFE_INTEGER, Number.MAX_SAFE_INTEGER],
};

const TS_MIN = 0;
const TS_MAX = Date.UTC(9999, 11, 31, 23, 59, 59, 999);
const TS_EDGES = [TS_MIN, 2147483647000, TS_MAX, Date.UTC(1999, 11, 31, 23, 59, 59, 500), Date.UTC(2024, 1, 29, 12, 0, 0, 1)];

const FLOAT_MAX = 3.4028234663852886e38;
const FLOAT_MIN = 1.401298464324817e-45;

export interface Ctx {
  place: Place;
  depth: number;
  /** Shapes on the path from the root: a shape met again is only filled with required members. */
  stack: Shape[];
  /** Item of a list bound to a header. */
  headerItem?: boolean;
}

export class ValueGenerator {
  constructor(
    protected readonly model: ServiceModel,
    protected readonly opts: SampleOptions,
    protected readonly rng: Rng,
    protected readonly mode: SampleMode,
  ) {}

  protected c(ref: Shape | undefined): Shape | undefined {
    if (!ref || !this.opts.constraints) return undefined;
    try {
      return this.opts.constraints.resolve(ref);
    } catch {
      return undefined;
    }
  }

  /** A document value: any JSON value (no number that JSON would round). */
  protected document(depth: number): unknown {
    switch (this.rng.int(0, depth > 2 ? 3 : 5)) {
      case 0: return this.rng.bool();
      case 1: return this.rng.int(-1e6, 1e6);
      case 2: return textFor(this.rng, 'json', 0, 8, this.mode);
      case 3: return null;
      case 4: return Array.from({ length: this.rng.int(0, 3) }, () => this.document(depth + 1));
      default: {
        const out: Record<string, unknown> = {};
        for (let i = 0, n = this.rng.int(0, 3); i < n; i++) out[`k${i}`] = this.document(depth + 1);
        return out;
      }
    }
  }

  protected bucketName(): string {
    const abc = 'abcdefghijklmnopqrstuvwxyz0123456789';
    const len = this.rng.pick([3, 8, 12, 63]);
    let s = '';
    for (let i = 0; i < len; i++) {
      const edge = i === 0 || i === len - 1;
      s += edge || !this.rng.bool(0.15) ? abc[this.rng.int(0, abc.length - 1)] : '-';
    }
    return s;
  }

  protected dnsLabel(): string {
    const abc = 'abcdefghijklmnopqrstuvwxyz0123456789';
    let s = '';
    for (let i = 0, n = this.rng.int(1, 20); i < n; i++) s += abc[this.rng.int(0, abc.length - 1)];
    return s;
  }

  protected unreserved(min: number, max: number): string {
    const abc = 'abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-_.~';
    let s = '';
    for (let i = 0, n = this.rng.int(min, max); i < n; i++) s += abc[this.rng.int(0, abc.length - 1)];
    return s.replace(/^\.+$/, 'x');
  }

  protected lengthBounds(cs: Shape | undefined, shape: Shape, dflt: [number, number]): [number, number] {
    const min = Math.max(cs?.min ?? shape.min ?? dflt[0], dflt[0]);
    let max = cs?.max ?? shape.max ?? dflt[1];
    max = Math.min(max, Math.max(min, dflt[1]));
    return [min, Math.max(min, max)];
  }

  protected headerMap(m: Shape, cm: Shape | undefined): Record<string, string> {
    // An empty prefix-header map sends no header at all: at least one entry.
    const [min, max] = this.lengthBounds(cm, m, [1, 3]);
    const n = this.rng.int(min, max);
    const out: Record<string, string> = {};
    const abc = 'abcdefghijklmnopqrstuvwxyz0123456789-';
    for (let tries = 0; Object.keys(out).length < n && tries < 20; tries++) {
      let k = '';
      for (let i = 0, len = this.rng.int(1, 12); i < len; i++) k += abc[this.rng.int(0, abc.length - 1)];
      if (Object.hasOwn(out, k)) continue;
      out[k] = textFor(this.rng, 'header', 1, 24, this.mode);
    }
    return out;
  }

  integer(shape: Shape, cs: Shape | undefined, _ctx: Ctx): number {
    const type = shape.type ?? 'integer';
    let [lo, hi] = TYPE_BOUNDS[type] ?? TYPE_BOUNDS.integer!;
    const cmin = cs?.min ?? shape.min;
    const cmax = cs?.max ?? shape.max;
    if (typeof cmin === 'number' && cmin > lo && cmin <= hi) lo = Math.ceil(cmin);
    if (typeof cmax === 'number' && cmax < hi && cmax >= lo) hi = Math.floor(cmax);
    const edges = [lo, hi, ...(lo <= 0 && hi >= 0 ? [0] : []), ...(lo <= 1 && hi >= 1 ? [1] : [])];
    return this.rng.bool(0.5) ? this.rng.pick(edges) : this.rng.int(lo, hi);
  }

  float(shape: Shape, cs: Shape | undefined): number {
    const single = shape.type === 'float';
    const max = single ? FLOAT_MAX : Number.MAX_VALUE;
    const tiny = single ? FLOAT_MIN : Number.MIN_VALUE;
    const candidates = [0, 1.5, -2.25, 0.1, 1e21, -1e-7, 123456.789, max, -max, tiny];
    // botocore's JSON reader hands the strings "NaN" / "Infinity" back unconverted (RESTRICTIONS 'non-finite').
    const botocoreCannot = this.opts.carrier !== 'sdk-js-v3' && this.opts.protocol === 'json' && this.opts.direction === 'output';
    if (!botocoreCannot) candidates.push(NaN, Infinity, -Infinity);
    const lo = cs?.min ?? shape.min;
    const hi = cs?.max ?? shape.max;
    const ok = (n: number) => Number.isNaN(n) || ((lo === undefined || n >= lo) && (hi === undefined || n <= hi));
    const pool = candidates.filter(ok);
    if (pool.length === 0 || this.rng.bool(0.4)) {
      const a = lo ?? -1e6;
      const b = hi ?? 1e6;
      const n = a + this.rng.float() * (b - a);
      return Object.is(n, -0) ? 0 : n;
    }
    return this.rng.pick(pool);
  }

  timestamp(shape: Shape, ctx: Ctx): Date {
    const format = shape.timestampFormat
      ?? (ctx.place === 'header' ? 'rfc822' : ctx.place === 'json' ? 'unixTimestamp' : 'iso8601');
    let ms = this.rng.bool(0.5) ? this.rng.pick(TS_EDGES) : this.rng.int(TS_MIN, Date.UTC(2100, 0, 1));
    const botocoreIn = this.opts.carrier !== 'sdk-js-v3' && this.opts.direction === 'input';
    const wholeSeconds = format === 'rfc822'
      || (botocoreIn && (format === 'unixTimestamp' || ctx.place === 'header'));
    if (wholeSeconds) ms -= ms % 1000;
    return new Date(ms);
  }

  blob(ctx: Ctx): Buffer {
    const max = ctx.place === 'payload' ? 64 : 24;
    const min = ctx.place === 'payload' ? 1 : 0;
    return this.rng.bytes(this.rng.int(min, this.mode === 'all' ? Math.max(min, 8) : max));
  }

  string(shape: Shape, cs: Shape | undefined, ctx: Ctx, minLen = 0): string {
    const enums = cs?.enum ?? shape.enum;
    if (enums && enums.length > 0) {
      const usable = enums.filter((e) => PLACE_TEXT[ctx.place].accepts(e) && e.length >= minLen);
      if (usable.length > 0) return this.rng.pick(usable);
    }
    let [min, max] = this.lengthBounds(cs, shape, [minLen, 16]);
    if (ctx.place === 'payload') min = Math.max(min, 1);
    if (ctx.headerItem) min = Math.max(min, 1);
    // botocore's XML writer leaves CR raw, and XML parsing turns a raw CR into LF.
    const noCR = ctx.place === 'xml' && this.opts.direction === 'input' && this.opts.carrier !== 'sdk-js-v3';
    // The JS SDK's XML reader drops whitespace-only text (it cannot tell it from indentation).
    const noBlank = ctx.place === 'xml' && this.opts.direction === 'output' && this.opts.carrier !== 'botocore';
    const text = textFor(this.rng, ctx.place, min, max, this.mode, { headerItem: ctx.headerItem, noCR, noBlank });
    // The JS SDK decodes CBOR text from a Uint8Array with TextDecoder, which drops a leading BOM.
    if (this.opts.protocol === 'rpc-v2-cbor' && this.opts.direction === 'output' && this.opts.carrier !== 'botocore' && text.startsWith('\ufeff')) {
      return text.length > min ? text.slice(1) : `x${text.slice(1)}`;
    }
    return text;
  }
}
