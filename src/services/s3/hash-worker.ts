/**
 * A hashing thread of hash-pool.ts: for each job it feeds the batches it is sent (views of
 * shared memory the main thread filled) to that job's hashers, acknowledges each batch so its
 * memory can be reused, and answers the digests when the job ends.
 */
import { parentPort } from 'node:worker_threads';
import { createHasher, type ChecksumAlgorithm, type Hasher } from './checksums.js';

export type ToWorker =
  | { op: 'start'; id: number; algorithms: ChecksumAlgorithm[] }
  | { op: 'data'; id: number; batch: number; memory: SharedArrayBuffer; length: number }
  | { op: 'end'; id: number }
  | { op: 'abort'; id: number };

export type FromWorker =
  | { op: 'ack'; id: number; batch: number }
  | { op: 'done'; id: number; digests: Partial<Record<ChecksumAlgorithm, Uint8Array>> }
  | { op: 'failed'; id: number; message: string };

const port = parentPort;
if (!port) throw new Error('hash-worker.ts runs as a worker thread');
const jobs = new Map<number, Array<[ChecksumAlgorithm, Hasher]>>();

port.on('message', (m: ToWorker) => {
  try {
    switch (m.op) {
      case 'start':
        jobs.set(m.id, m.algorithms.map((a) => [a, createHasher(a)]));
        return;
      case 'data': {
        const view = Buffer.from(m.memory, 0, m.length);
        for (const [, h] of jobs.get(m.id) ?? []) h.update(view);
        port.postMessage({ op: 'ack', id: m.id, batch: m.batch } satisfies FromWorker);
        return;
      }
      case 'end': {
        const hashers = jobs.get(m.id) ?? [];
        jobs.delete(m.id);
        const digests: Partial<Record<ChecksumAlgorithm, Uint8Array>> = {};
        for (const [a, h] of hashers) digests[a] = h.digest();
        port.postMessage({ op: 'done', id: m.id, digests } satisfies FromWorker);
        return;
      }
      case 'abort':
        jobs.delete(m.id);
        return;
    }
  } catch (err) {
    jobs.delete(m.id);
    port.postMessage({ op: 'failed', id: m.id, message: (err as Error).message } satisfies FromWorker);
  }
});
