/**
 * Policy documents with pathological patterns as a fuzz target: stars by the hundred, runs
 * of `?`, long literals after a star, wildcard partitions, policy variables, with and
 * without Version, at random sizes on both sides of IAM's quotas, in Action / NotAction,
 * Resource / NotResource and the StringLike / ArnLike families of conditions. Each case goes
 * through SimulateCustomPolicy, CreatePolicy or PutUserPolicy followed by a real request of
 * the user it now governs, one request at a time while /_cloudlet/health is polled. Each
 * answer must be an AWS answer of the operation (never a 5xx) within a second, and health
 * must keep answering within a second.
 */
import { signedFetch, queryRequest } from '../helpers/sign.js';
import { measure, rng, type Sender } from './fuzz-hostile.js';

const A = '000000000000';
/** User names the real requests ask about: the longest IAM allows, one of them ending in b. */
export const TARGETS = ['a'.repeat(64), `${'a'.repeat(63)}b`];
const FUZZ_USER = 'policy-fuzzer';

type Rand = (n: number) => number;
const sized = (r: Rand, max: number) => Math.max(1, Math.floor(Math.exp((r(10_000) / 10_000) * Math.log(max))));

/** Text built to make a backtracking matcher explode. */
export function pattern(r: Rand): string {
  const pick = <T>(xs: readonly T[]): T => xs[r(xs.length)]!;
  const k = sized(r, 400);
  switch (r(6)) {
    case 0: return `${'a*'.repeat(k)}${pick(['b', '', 'a', '?'])}`;
    case 1: return `*${'?a'.repeat(k)}${pick(['?b', '*', ''])}`;
    case 2: return `${'*?'.repeat(k)}${pick(['c', '*', ''])}`;
    case 3: return `*${'a'.repeat(k * 4)}${pick(['b', '*b', ''])}`;
    case 4: return Array.from({ length: k }, () => pick(['a', '*', '?', 'b', '/', ':', '${aws:username}', '${*}'])).join('');
    default: return `${pick(['', '${aws:username}', '${aws:PrincipalTag/team}'])}${'*a'.repeat(k)}`;
  }
}

/** A value for the pattern to fail against slowly. */
export function value(r: Rand): string {
  return `${'a'.repeat(sized(r, 3000))}${['', 'b', ':x', '/a'][r(4)]}`;
}

const CONDITIONS = ['StringLike', 'StringNotLike', 'ArnLike', 'ArnNotLike', 'ArnEquals', 'ForAnyValue:StringLike', 'ForAllValues:StringNotLike', 'StringLikeIfExists'];
const KEYS = ['aws:username', 'aws:PrincipalArn', 'aws:userid', 'aws:SourceArn', 'iam:PolicyARN'];

function statement(r: Rand): Record<string, unknown> {
  const pick = <T>(xs: readonly T[]): T => xs[r(xs.length)]!;
  const st: Record<string, unknown> = { Effect: r(4) === 0 ? 'Deny' : 'Allow' };
  st[r(3) === 0 ? 'NotAction' : 'Action'] = r(3) === 0 ? [`iam:${pattern(r)}`, 'iam:Get*'] : `iam:${pattern(r)}`;
  const resource = pick([
    () => `arn:aws:iam::${A}:user/${pattern(r)}`,
    () => `arn:aws:iam::${pattern(r)}:user/*`,
    () => `arn:${pattern(r)}:iam::${A}:user/*`,
    () => '*',
  ])();
  st[r(4) === 0 ? 'NotResource' : 'Resource'] = resource;
  if (r(2) === 0) {
    const op = pick(CONDITIONS);
    const arnish = op.includes('Arn');
    st.Condition = { [op]: { [pick(KEYS)]: arnish ? `arn:aws:iam::${A}:${pattern(r)}` : pattern(r) } };
  }
  return st;
}

export function policyDocument(r: Rand): string {
  const statements = Array.from({ length: 1 + r(3) }, () => statement(r));
  const version = [{ Version: '2012-10-17' }, { Version: '2008-10-17' }, {}][r(3)]!;
  return JSON.stringify({ ...version, Statement: statements });
}

interface Creds { accessKeyId: string; secretAccessKey: string }
const ROOT: Creds = { accessKeyId: 'test', secretAccessKey: 'test' };

const iam = (url: string, params: Record<string, string>, creds: Creds = ROOT): Sender =>
  () => signedFetch(url, 'iam', queryRequest({ Version: '2010-05-08', ...params }), creds);

/** What one case sends and which statuses are AWS answers of that operation. */
interface Step { name: string; send: Sender; statuses: readonly number[] }

export interface PolicyFuzzStats {
  cases: number;
  requests: number;
  byStatus: Record<number, number>;
  failures: Array<{ name: string; detail: string }>;
  slowestMs: number;
  slowestHealthMs: number;
  ms: number;
}

async function setUp(url: string): Promise<Creds> {
  const ok = async (params: Record<string, string>) => {
    const res = await iam(url, params)();
    const text = await res.text();
    if (res.status !== 200) throw new Error(`${params.Action}: ${res.status} ${text.slice(0, 300)}`);
    return text;
  };
  // The first health answer counts the models' operations: not what is measured here.
  await (await fetch(`${url}/_cloudlet/health`)).arrayBuffer();
  for (const name of [...TARGETS, FUZZ_USER]) await ok({ Action: 'CreateUser', UserName: name });
  const text = await ok({ Action: 'CreateAccessKey', UserName: FUZZ_USER });
  const id = /<AccessKeyId>([^<]+)</.exec(text)![1]!;
  const secret = /<SecretAccessKey>([^<]+)</.exec(text)![1]!;
  return { accessKeyId: id, secretAccessKey: secret };
}

function steps(url: string, r: Rand, n: number, user: Creds): Step[] {
  const doc = policyDocument(r);
  switch (r(3)) {
    case 0: {
      const v = value(r);
      return [{
        name: `simulate ${doc.slice(0, 80)}`,
        statuses: [200, 400],
        send: iam(url, {
          Action: 'SimulateCustomPolicy', 'PolicyInputList.member.1': doc,
          'ActionNames.member.1': r(2) ? 'iam:GetUser' : `iam:${v.replace(/[^a-z]/g, '')}`,
          'ResourceArns.member.1': `arn:aws:iam::${A}:user/${v}`,
          'ContextEntries.member.1.ContextKeyName': 'aws:username', 'ContextEntries.member.1.ContextKeyType': 'string',
          'ContextEntries.member.1.ContextKeyValues.member.1': v,
        }),
      }];
    }
    case 1:
      // Deleted again at once: the quota on customer managed policies is not what is fuzzed.
      return [
        { name: `create-policy ${doc.slice(0, 80)}`, statuses: [200, 400, 409], send: iam(url, { Action: 'CreatePolicy', PolicyName: `fuzz-${n}`, PolicyDocument: doc }) },
        { name: 'delete-policy', statuses: [200, 404], send: iam(url, { Action: 'DeletePolicy', PolicyArn: `arn:aws:iam::${A}:policy/fuzz-${n}` }) },
      ];
    default:
      return [
        { name: `put-user-policy ${doc.slice(0, 80)}`, statuses: [200, 400, 409], send: iam(url, { Action: 'PutUserPolicy', UserName: FUZZ_USER, PolicyName: 'fuzz', PolicyDocument: doc }) },
        { name: 'get-user as the user', statuses: [200, 403], send: iam(url, { Action: 'GetUser', UserName: TARGETS[r(2)]! }, user) },
      ];
  }
}

/** Runs `cases` random cases one request at a time, each measured alone. */
export async function fuzzPolicy(o: { url: string; seed: number; cases: number; timeLimitMs: number; limitMs?: number }): Promise<PolicyFuzzStats> {
  const r = rng(o.seed);
  const limitMs = o.limitMs ?? 1000;
  const stats: PolicyFuzzStats = { cases: 0, requests: 0, byStatus: {}, failures: [], slowestMs: 0, slowestHealthMs: 0, ms: 0 };
  const start = Date.now();
  const user = await setUp(o.url);
  while (stats.cases < o.cases && Date.now() - start < o.timeLimitMs) {
    for (const step of steps(o.url, r, stats.cases, user)) {
      let detail: string | undefined;
      try {
        const m = await measure(o.url, step.send);
        stats.requests++;
        stats.byStatus[m.status] = (stats.byStatus[m.status] ?? 0) + 1;
        stats.slowestMs = Math.max(stats.slowestMs, m.ms);
        stats.slowestHealthMs = Math.max(stats.slowestHealthMs, m.healthMs);
        if (!step.statuses.includes(m.status)) detail = `status ${m.status}: ${m.text.slice(0, 300)}`;
        else if (m.ms > limitMs) detail = `answered in ${m.ms.toFixed(0)} ms`;
        else if (m.healthMs > limitMs) detail = `health took ${m.healthMs.toFixed(0)} ms meanwhile`;
      } catch (e) {
        detail = `request failed: ${(e as Error).message}`;
      }
      if (detail) stats.failures.push({ name: step.name, detail });
    }
    stats.cases++;
  }
  stats.ms = Date.now() - start;
  return stats;
}
