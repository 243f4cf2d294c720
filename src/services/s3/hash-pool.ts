/**
 * Hashing of large uploads on other threads. A PUT's MD5 (its ETag) and its checksum (CRC64NVME
 * by default) cost about 2.6 ns a byte on the main thread (MD5 alone 1.7: it cannot go faster
 * than one core), which made the main thread the limit of a large upload. Here MD5 runs on a
 * hashing thread, fed from shared memory the main thread copies each chunk into (about 0.05 ns a
 * byte), while the main thread computes the checksum: the two halves of the work at the same
 * time. One thread, not one per algorithm: each costs an isolate's memory (~15 MB of RSS), and
 * a 1 GiB upload must stay under 150 MB. Small bodies stay on the main thread: a round trip
 * costs more than hashing them.
 *
 * The pool belongs to one server (its threads start on first use and end with it); the memory
 * in flight per upload is bounded (BATCHES x BATCH_BYTES), and the socket is read no faster
 * than the threads hash.
 */
import { Transform, type TransformCallback } from 'node:stream';
import { Worker } from 'node:worker_threads';
import { createHasher, hashingStream, type ChecksumAlgorithm, type Hasher, type HashingStream } from './checksums.js';
import type { FromWorker, ToWorker } from './hash-worker.js';

/** Bodies at least this long are hashed off the main thread. */
export const OFFLOAD_MIN_BYTES = 8 * 1024 * 1024;
const BATCH_BYTES = 1024 * 1024;
/** Batches one upload may have in flight: 4 MiB of shared memory. */
const BATCHES = 4;

/**
 * The thread's module, beside this one: compiled (.js, also in the bundle), or the source when
 * this runs under tsx (tests), whose loader a worker does not inherit: it registers it first.
 */
function startWorker(): Worker {
  // The thread allocates little (messages, digests): a small heap keeps its RSS small.
  const resourceLimits = { maxYoungGenerationSizeMb: 2, maxOldGenerationSizeMb: 32 };
  if (!import.meta.url.endsWith('.ts')) return new Worker(new URL('./hash-worker.js', import.meta.url), { resourceLimits });
  const source = JSON.stringify(new URL('./hash-worker.ts', import.meta.url).href);
  return new Worker(`import('tsx/esm/api').then((tsx) => { tsx.register(); return import(${source}); })`, { eval: true, resourceLimits });
}

interface JobHandlers {
  ack(batch: number): void;
  done(digests: Partial<Record<ChecksumAlgorithm, Uint8Array>>): void;
  fail(err: Error): void;
}

interface Slot {
  worker: Worker;
  jobs: Map<number, JobHandlers>;
}

export class HashPool {
  private readonly slots: Array<Slot | undefined> = [];
  private nextId = 1;
  private closed = false;
  /** Set when a thread could not start (its module missing from a build): hash here from then on. */
  private broken: Error | undefined;

  constructor(private readonly threads = 1, private readonly start: () => Worker = startWorker) {}

  private slot(i: number): Slot {
    const k = i % this.threads;
    const have = this.slots[k];
    if (have) return have;
    const worker = this.start();
    // An idle pool must not keep the process alive.
    worker.unref();
    const slot: Slot = { worker, jobs: new Map() };
    // A thread that fails before its first answer never worked (its module did not load).
    let answered = false;
    const fail = (err: Error): void => {
      if (!answered) this.broken ??= err;
      if (this.slots[k] === slot) this.slots[k] = undefined;
      for (const j of slot.jobs.values()) j.fail(err);
      slot.jobs.clear();
    };
    worker.on('message', (m: FromWorker) => {
      answered = true;
      const job = slot.jobs.get(m.id);
      if (!job) return;
      if (m.op === 'ack') job.ack(m.batch);
      else if (m.op === 'done') {
        slot.jobs.delete(m.id);
        job.done(m.digests);
      } else {
        slot.jobs.delete(m.id);
        job.fail(new Error(`hashing failed: ${m.message}`));
      }
    });
    worker.on('error', fail);
    worker.on('exit', (code) => fail(new Error(`hashing thread exited (${code})`)));
    this.slots[k] = slot;
    return slot;
  }

  /** A pass-through stream that hashes what flows through it on the pool's threads. */
  hashingStream(algorithms: ChecksumAlgorithm[]): HashingStream {
    if (this.closed) throw new Error('hash pool is closed');
    if (this.broken) return hashingStream(algorithms);
    const id = this.nextId++;
    // MD5 (the ETag, and the MD5 checksum if asked for) on a thread; the rest here.
    const inline = [...new Set(algorithms)].filter((a) => a !== 'MD5').map((a): [ChecksumAlgorithm, Hasher] => [a, createHasher(a)]);
    return new OffloadedHashing(id, [{ slot: this.slot(id), algorithms: ['MD5'] }], inline, algorithms);
  }

  async close(): Promise<void> {
    this.closed = true;
    const slots = this.slots.splice(0).filter((s): s is Slot => s !== undefined);
    await Promise.all(slots.map((s) => s.worker.terminate()));
  }
}

interface Batch {
  memory: SharedArrayBuffer;
  view: Buffer;
  /** Threads that have not acknowledged it yet. */
  pending: number;
}

class OffloadedHashing extends Transform implements HashingStream {
  private readonly batches: Batch[] = [];
  private readonly free: number[] = [];
  private current: number | undefined;
  private filled = 0;
  private count = 0;
  private waiting: (() => void) | undefined;
  private failure: Error | undefined;
  private md5Result: string | undefined;
  private results: Partial<Record<ChecksumAlgorithm, string>> | undefined;
  private readonly finished: Promise<Partial<Record<ChecksumAlgorithm, Uint8Array>>>;

  constructor(
    private readonly id: number,
    private readonly groups: Array<{ slot: Slot; algorithms: ChecksumAlgorithm[] }>,
    private readonly inline: Array<[ChecksumAlgorithm, Hasher]>,
    private readonly wanted: ChecksumAlgorithm[],
  ) {
    super();
    const parts = groups.map((g) => new Promise<Partial<Record<ChecksumAlgorithm, Uint8Array>>>((resolve, reject) => {
      g.slot.jobs.set(id, {
        ack: (batch) => this.acked(batch),
        done: resolve,
        fail: (err) => {
          this.failure ??= err;
          reject(err);
          this.wake();
        },
      });
    }));
    this.finished = Promise.all(parts).then((all) => Object.assign({}, ...all) as Partial<Record<ChecksumAlgorithm, Uint8Array>>);
    this.finished.catch(() => undefined);
    for (const g of groups) g.slot.worker.postMessage({ op: 'start', id, algorithms: g.algorithms } satisfies ToWorker);
  }

  private acked(batch: number): void {
    const b = this.batches[batch]!;
    if (--b.pending === 0) {
      this.free.push(batch);
      this.wake();
    }
  }

  private wake(): void {
    const w = this.waiting;
    this.waiting = undefined;
    w?.();
  }

  private send(batch: number, length: number): void {
    const b = this.batches[batch]!;
    b.pending = this.groups.length;
    for (const g of this.groups) g.slot.worker.postMessage({ op: 'data', id: this.id, batch, memory: b.memory, length } satisfies ToWorker);
  }

  /** A batch to fill: a free one, a new one while fewer than BATCHES exist, else undefined (wait). */
  private takeBatch(): number | undefined {
    const f = this.free.pop();
    if (f !== undefined) return f;
    if (this.batches.length >= BATCHES) return undefined;
    const memory = new SharedArrayBuffer(BATCH_BYTES);
    this.batches.push({ memory, view: Buffer.from(memory), pending: 0 });
    return this.batches.length - 1;
  }

  /** Copies `chunk` from `offset` into batches, sending each full one; calls `done` when all of it is copied. */
  private copy(chunk: Buffer, offset: number, done: (err?: Error) => void): void {
    while (offset < chunk.length) {
      if (this.failure) return done(this.failure);
      if (this.current === undefined) {
        const t = this.takeBatch();
        if (t === undefined) {
          this.waiting = () => this.copy(chunk, offset, done);
          return;
        }
        this.current = t;
        this.filled = 0;
      }
      const n = chunk.copy(this.batches[this.current]!.view, this.filled, offset);
      offset += n;
      this.filled += n;
      if (this.filled === BATCH_BYTES) {
        this.send(this.current, this.filled);
        this.current = undefined;
      }
    }
    done();
  }

  override _transform(chunk: Buffer, _enc: BufferEncoding, done: TransformCallback): void {
    this.count += chunk.length;
    // Copied first, so the thread works on it while this thread hashes it too.
    this.copy(chunk, 0, (err) => {
      if (err) return done(err);
      for (const [, h] of this.inline) h.update(chunk);
      done(null, chunk);
    });
  }

  override _flush(done: TransformCallback): void {
    if (this.current !== undefined) {
      this.send(this.current, this.filled);
      this.current = undefined;
    }
    for (const g of this.groups) g.slot.worker.postMessage({ op: 'end', id: this.id } satisfies ToWorker);
    this.finished.then((digests) => {
      const md5 = Buffer.from(digests.MD5!);
      this.md5Result = md5.toString('hex');
      const results: Partial<Record<ChecksumAlgorithm, string>> = {};
      for (const [a, h] of this.inline) digests[a] = h.digest();
      for (const a of this.wanted) results[a] = Buffer.from(digests[a]!).toString('base64');
      this.results = results;
      done();
    }, (err: Error) => done(err));
  }

  override _destroy(err: Error | null, cb: (err: Error | null) => void): void {
    if (this.md5Result === undefined) {
      for (const g of this.groups) {
        if (g.slot.jobs.delete(this.id)) g.slot.worker.postMessage({ op: 'abort', id: this.id } satisfies ToWorker);
      }
    }
    cb(err);
  }

  get md5Hex(): string {
    if (this.md5Result === undefined) throw new Error('hashingStream: md5Hex read before the stream ended');
    return this.md5Result;
  }

  get checksums(): Partial<Record<ChecksumAlgorithm, string>> {
    if (this.results === undefined) throw new Error('hashingStream: checksums read before the stream ended');
    return this.results;
  }

  get bytes(): number {
    return this.count;
  }
}
