/**
 * S3 requests on the bill: the bucket owner pays per 1,000 requests, PUT, COPY, POST and LIST
 * at the tier-1 rate and GET and the rest at tier 2; DELETE and abort are free (S3 pricing).
 * A request counts when it names an existing bucket and its transaction commits (a refused
 * request rolls its count back with everything else; AWS bills most failed requests too).
 */
import type { Tx } from '../../store/types.js';
import type { Handler, RequestContext } from '../types.js';
import { meterCount } from '../cost/meter.js';
import { prices, regional, usageType } from '../cost/prices.js';
import { SERVICE } from '../cost/lines.js';
import { findBucket } from './buckets.js';
import { ownerScope } from './records.js';

const TIER1 = /^(Put|Copy|Post|List|Create|Complete|Upload|Restore|Write)/;
const FREE = /^(Delete|Abort)/;

export function requestTier(operation: string): 1 | 2 | undefined {
  if (FREE.test(operation)) return undefined;
  return TIER1.test(operation) ? 1 : 2;
}

function count(tx: Tx, operation: string, bucketName: string, nowMs: number): void {
  const tier = requestTier(operation);
  const found = tier && findBucket(tx, bucketName);
  if (!tier || !found) return;
  const region = found.bucket.region;
  const p = prices().s3;
  const ut = usageType(region, tier === 1 ? 'Requests-Tier1' : 'Requests-Tier2');
  meterCount(tx, ownerScope(found.owner.account), {
    ...SERVICE.s3, key: ut, usageType: ut, operation, unit: 'Requests', quantity: 1,
    rate: regional((tier === 1 ? p.tier1Per1000 : p.tier2Per1000) / 1000, region), resourceId: bucketName, region, tags: {},
  }, 1, nowMs);
}

/** Counts each request in its own transaction: after an ordinary handler, or in the first transaction a streaming (`outside`) handler commits through. */
export function withRequestMeter(handlers: Record<string, Handler>, outside: ReadonlySet<string>): Record<string, Handler> {
  const out: Record<string, Handler> = {};
  for (const [op, handler] of Object.entries(handlers)) {
    if (requestTier(op) === undefined) { out[op] = handler; continue; }
    out[op] = outside.has(op)
      ? (input: { Bucket?: string } | undefined, ctx: RequestContext) => {
        const bucket = input?.Bucket;
        if (typeof bucket !== 'string' || bucket === '') return handler(input, ctx);
        let counted = false;
        // The request's own context (its response headers and status are read back from it).
        const transact = ctx.transact.bind(ctx);
        ctx.transact = <T>(fn: (tx: Tx) => T | Promise<T>): Promise<T> => transact(async (tx) => {
          const r = await fn(tx);
          if (!counted) { counted = true; count(tx, op, bucket, ctx.clock.nowMs()); }
          return r;
        });
        return handler(input, ctx);
      }
      : (input: { Bucket?: string } | undefined, ctx: RequestContext) => {
        const bucket = input?.Bucket;
        const done = (o: unknown) => {
          if (typeof bucket === 'string' && bucket !== '') count(ctx.tx, op, bucket, ctx.clock.nowMs());
          return o;
        };
        const out = handler(input, ctx);
        return out instanceof Promise ? out.then(done) : done(out);
      };
  }
  return out;
}
