/**
 * Worst-case policy decisions beside the normal case: the time one evaluate() takes for the
 * usual workload (src/policy/bench.ts: 10 policies x 5 statements, a boundary, a bucket
 * policy) and for pathological patterns at IAM's size quotas: the reported 7-star resource,
 * 10 and 50 stars, runs of `?`, a role's whole 10,240-character inline quota of stars, against
 * long values. In process, one core; every loop bounded in time.
 * Runs alone too: `node --import tsx bench/policy-worst.ts`.
 */
import { fileURLToPath } from 'node:url';
import { evaluate } from '../src/policy/evaluate.js';
import { parsePolicy } from '../src/policy/parse.js';
import { NORMAL_POLICIES, NORMAL_REQUESTS } from '../src/policy/bench.js';
import type { PolicySet, RequestContext, RequestPrincipal } from '../src/policy/types.js';

const A = '000000000000';
const principal: RequestPrincipal = { arn: `arn:aws:iam::${A}:user/alice`, account: A, kind: 'user', username: 'alice', userId: 'AIDAALICE000000000000' };

interface Case { name: string; policies: PolicySet; requests: RequestContext[] }

const identity = (...statements: Array<Record<string, unknown>>): PolicySet =>
  ({ identity: [parsePolicy(JSON.stringify({ Version: '2012-10-17', Statement: statements }))] });
const asks = (action: string, resource: string, context: Record<string, string> = {}): RequestContext[] =>
  [{ action, resource, principal, context }];

/** Statements of `a*` patterns filling a role's inline quota (10,240 characters). */
function quotaOfStars(): PolicySet {
  const statements: Array<Record<string, unknown>> = [];
  let size = 40;
  for (let i = 0; size < 10_000; i++) {
    const st = { Effect: 'Allow', Action: 'iam:GetUser', Resource: `arn:aws:iam::${A}:user/${'a*'.repeat(100)}b${i}` };
    size += JSON.stringify(st).length + 1;
    statements.push(st);
  }
  return identity(...statements);
}

export const WORST_CASES: Case[] = [
  { name: 'reported: 7 stars vs user/ + 64 a', policies: identity({ Effect: 'Allow', Action: 'iam:GetUser', Resource: `arn:aws:iam::${A}:user/a*a*a*a*a*a*a*b` }),
    requests: asks('iam:GetUser', `arn:aws:iam::${A}:user/${'a'.repeat(64)}`) },
  { name: '10 stars vs 2,048-char ARN', policies: identity({ Effect: 'Allow', Action: 'iam:GetUser', Resource: `arn:aws:iam::${A}:user/${'a*'.repeat(10)}b` }),
    requests: asks('iam:GetUser', `arn:aws:iam::${A}:user/${'a'.repeat(2000)}`) },
  { name: '50 stars in Action, Resource, StringLike', policies: identity({ Effect: 'Allow', Action: `iam:${'a*'.repeat(50)}b`, Resource: `arn:aws:iam::${A}:user/${'a*'.repeat(50)}b`,
    Condition: { StringLike: { 'aws:UserAgent': `${'a*'.repeat(50)}b` } } }),
  requests: asks(`iam:${'a'.repeat(100)}b`, `arn:aws:iam::${A}:user/${'a'.repeat(2000)}b`, { 'aws:UserAgent': 'a'.repeat(4000) }) },
  { name: '? runs (*?a?a...?b*) vs 4,000 chars', policies: identity({ Effect: 'Allow', Action: '*', Resource: '*',
    Condition: { StringLike: { 'aws:UserAgent': `*${'?a'.repeat(100)}?b*` } } }), requests: asks('iam:GetUser', '*', { 'aws:UserAgent': 'a'.repeat(4000) }) },
  { name: 'role inline quota (10,240 chars) of stars', policies: quotaOfStars(), requests: asks('iam:GetUser', `arn:aws:iam::${A}:user/${'a'.repeat(2000)}`) },
];

export interface Timing { name: string; decisions: number; meanUs: number; p99Us: number; maxUs: number }

const MAX_DECISIONS = 200_000;

function time(name: string, policies: PolicySet, requests: RequestContext[], budgetMs = 400): Timing {
  for (let i = 0; i < 50; i++) evaluate(requests[i % requests.length]!, policies);
  const us = new Float64Array(MAX_DECISIONS);
  let n = 0;
  const start = performance.now();
  while (n < MAX_DECISIONS && performance.now() - start < budgetMs) {
    const t = performance.now();
    evaluate(requests[n % requests.length]!, policies);
    us[n++] = (performance.now() - t) * 1000;
  }
  const sorted = us.subarray(0, n).sort();
  return { name, decisions: n, meanUs: ((performance.now() - start) * 1000) / n, p99Us: sorted[Math.floor(n * 0.99)]!, maxUs: sorted[n - 1]! };
}

export function policyWorst(): Timing[] {
  return [time('normal: 10 policies x 5 statements', NORMAL_POLICIES, NORMAL_REQUESTS), ...WORST_CASES.map((c) => time(c.name, c.policies, c.requests))];
}

/**
 * A decision that holds the event loop this long is a defect (the report saw seconds). Judged
 * on the mean: one decision's maximum (and, on a busy machine, its p99) is a GC pause or the OS.
 */
const WORST_TARGET_US = 1000;

export function printPolicyWorst(rows: Timing[]): void {
  console.log('\npolicy decisions: normal workload vs pathological patterns (one evaluate(), in process, one core)');
  const w = Math.max(...rows.map((r) => r.name.length));
  const f = (us: number) => us.toFixed(1).padStart(8);
  for (const r of rows) {
    console.log(`  ${r.name.padEnd(w)}  mean ${f(r.meanUs)} us  p99 ${f(r.p99Us)} us  max ${f(r.maxUs)} us  (${r.decisions} decisions)`);
  }
  const worst = Math.max(...rows.slice(1).map((r) => r.meanUs));
  const normal = rows[0]!.meanUs;
  console.log(`  ${worst < WORST_TARGET_US ? 'met   ' : 'MISSED'} worst pathological decision under ${WORST_TARGET_US / 1000} ms: `
    + `mean ${worst.toFixed(1)} us, ${(worst / normal).toFixed(1)}x the normal workload's`);
}

if (process.argv[1] === fileURLToPath(import.meta.url)) printPolicyWorst(policyWorst());
