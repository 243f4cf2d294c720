/**
 * A small seeded PRNG for the sample generator: every sample is a pure function of
 * (seed, label), so a failing case replays from the seed and label the report prints.
 * Deliberately not Math.random and not fast-check's arbitraries: the generator walks service
 * models (thousands of shapes) and wants plain, cheap, forkable streams.
 */

/** FNV-1a over a label, mixed with the seed: the seed of a named sub-stream. */
export function deriveSeed(seed: number, label: string): number {
  let h = (0x811c9dc5 ^ (seed >>> 0)) >>> 0;
  for (let i = 0; i < label.length; i++) {
    h ^= label.charCodeAt(i);
    h = Math.imul(h, 0x01000193) >>> 0;
  }
  return h >>> 0;
}

/** mulberry32: 32-bit state, full period, good enough spread for test data. */
export class Rng {
  private state: number;

  constructor(readonly seed: number) {
    this.state = seed >>> 0;
  }

  /** A uniform uint32. */
  next(): number {
    this.state = (this.state + 0x6d2b79f5) >>> 0;
    let t = this.state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return (t ^ (t >>> 14)) >>> 0;
  }

  /** A float in [0, 1). */
  float(): number {
    return this.next() / 4294967296;
  }

  /** An integer in [lo, hi], inclusive; exact for any safe-integer range. */
  int(lo: number, hi: number): number {
    if (hi <= lo) return lo;
    const span = hi - lo + 1;
    if (span <= 4294967296) return lo + Math.floor(this.float() * span);
    // Wide ranges (longs): 53 random bits scaled.
    const r = (this.next() * 2097152 + (this.next() >>> 11)) / 9007199254740992;
    return Math.min(hi, lo + Math.floor(r * span));
  }

  bool(pTrue = 0.5): boolean {
    return this.float() < pTrue;
  }

  pick<T>(items: readonly T[]): T {
    return items[this.int(0, items.length - 1)]!;
  }

  bytes(n: number): Buffer {
    const out = Buffer.alloc(n);
    for (let i = 0; i < n; i++) out[i] = this.next() & 0xff;
    return out;
  }

  /** An independent stream named by `label` (stable no matter what this stream did before). */
  fork(label: string): Rng {
    return new Rng(deriveSeed(this.seed, label));
  }
}
