/**
 * One conformance run: every target (service x protocol) against every client, in sequence.
 * Shared by `npm run conformance` (scripts/conformance.ts) and the in-suite slice
 * (src/protocol/conformance.test.ts).
 */
import { deriveSeed } from '../../src/protocol/samples.js';
import { runBotocoreTarget } from './botocore.js';
import type { Client, TargetReport } from './report.js';
import { runSdkTarget } from './sdk.js';
import { allTargets, type Target } from './targets.js';

export interface ConformanceOptions {
  seed: number;
  cases: number;
  /** cloudlet service names, or service/protocol pairs ('cloudwatch/json-1.0'). */
  services?: string[];
  clients?: Client[];
  /** Chooses the operations of a target (default: all of them). */
  pick?: (target: Target, operations: string[]) => string[];
  timeoutMs?: number;
  onReport?: (r: TargetReport) => void;
}

export const ALL_CLIENTS: Client[] = ['sdk-js-v3', 'botocore'];

export function selectTargets(services?: string[]): Target[] {
  const all = allTargets();
  if (!services?.length) return all;
  const unknown = services.filter((s) => !all.some((t) => t.service === s || `${t.service}/${t.protocol}` === s));
  if (unknown.length) throw new Error(`unknown service ${unknown.join(', ')}; known: ${[...new Set(all.map((t) => `${t.service}/${t.protocol}`))].join(', ')}`);
  return all.filter((t) => services.includes(t.service) || services.includes(`${t.service}/${t.protocol}`));
}

/** A deterministic subset of about `share` of the operations, chosen by the seed. */
export function sampleOperations(seed: number, operations: string[], share: number): string[] {
  const keep = operations.filter((op) => deriveSeed(seed, op) / 4294967296 < share);
  return keep.length ? keep : operations.slice(0, 1);
}

export async function runConformance(opts: ConformanceOptions): Promise<TargetReport[]> {
  process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';
  const reports: TargetReport[] = [];
  const clients = opts.clients ?? ALL_CLIENTS;
  for (const target of selectTargets(opts.services)) {
    const run = { seed: opts.seed, cases: opts.cases, timeoutMs: opts.timeoutMs, pick: opts.pick ? (ops: string[]) => opts.pick!(target, ops) : undefined };
    for (const client of clients) {
      const r = client === 'sdk-js-v3' ? await runSdkTarget(target, run) : await runBotocoreTarget(target, run);
      opts.onReport?.(r);
      reports.push(r);
    }
  }
  return reports;
}
