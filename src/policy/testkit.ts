/**
 * Helpers shared by the policy tests and the benchmark: principals of each kind, terse
 * policy construction, and one assertion that checks decision and deciding statement.
 */

import assert from 'node:assert/strict';
import { evaluate } from './evaluate.js';
import { parsePolicy } from './parse.js';
import type { EvaluateOptions, EvaluationResult, Policy, PolicyKind, PolicySet, RequestContext, RequestPrincipal } from './types.js';

export const ACCT = '111111111111';
export const OTHER = '222222222222';

export const user = (name = 'alice', account = ACCT): RequestPrincipal => ({
  arn: `arn:aws:iam::${account}:user/${name}`, account, kind: 'user', username: name, userId: `AIDAUSER${name.toUpperCase()}0000000`,
});
export const roleSession = (role = 'app', session = 'sess', account = ACCT): RequestPrincipal => ({
  arn: `arn:aws:sts::${account}:assumed-role/${role}/${session}`, account, kind: 'assumed-role',
  roleArn: `arn:aws:iam::${account}:role/${role}`, userId: `AROAROLE${role.toUpperCase()}0000000:${session}`,
});
export const fedUser = (name = 'fed', via = 'alice', account = ACCT): RequestPrincipal => ({
  arn: `arn:aws:sts::${account}:federated-user/${name}`, account, kind: 'federated-user',
  userArn: `arn:aws:iam::${account}:user/${via}`, userId: `${account}:${name}`,
});
export const root = (account = ACCT): RequestPrincipal => ({ arn: `arn:aws:iam::${account}:root`, account, kind: 'root', userId: account });
export const anonymous = (): RequestPrincipal => ({ arn: '*', account: '', kind: 'anonymous' });
export const service = (name: string): RequestPrincipal => ({ arn: name, account: '', kind: 'service', service: name });

export type Stmt = Record<string, unknown>;

/** Allow/Deny statement with defaults that apply to everything, overridden by `extra`. */
export const allow = (sid: string, extra: Stmt = {}): Stmt => ({ Sid: sid, Effect: 'Allow', Action: '*', Resource: '*', ...extra });
export const deny = (sid: string, extra: Stmt = {}): Stmt => ({ Sid: sid, Effect: 'Deny', Action: '*', Resource: '*', ...extra });

export function pol(statements: Stmt[], opts: { kind?: PolicyKind; id?: string; version?: string } = {}): Policy {
  const kind = opts.kind ?? 'identity';
  return parsePolicy(JSON.stringify({ Version: opts.version ?? '2012-10-17', Statement: statements }), { kind, id: opts.id ?? kind });
}

/** Resource policy: statements get Principal "*" unless they name one. */
export const rpol = (statements: Stmt[], kind: PolicyKind = 'resource'): Policy =>
  pol(statements.map((s) => ('Principal' in s || 'NotPrincipal' in s ? s : { Principal: '*', ...s })), { kind, id: kind });

export function req(principal: RequestPrincipal, over: Partial<RequestContext> = {}): RequestContext {
  return { action: 's3:GetObject', resource: 'arn:aws:s3:::bucket/key', principal, context: {}, ...over };
}

export interface Expect {
  decision: EvaluationResult['decision'];
  /** Deciding statement's Sid; null when nothing decided (a plain implicit deny). */
  sid: string | null;
  reason?: RegExp;
  missing?: string[];
}

export function expectResult(r: EvaluationResult, e: Expect): void {
  const detail = JSON.stringify(r);
  assert.equal(r.decision, e.decision, detail);
  if (e.sid === null) assert.deepEqual(r.matchedStatements, [], detail);
  else if (e.decision === 'ExplicitDeny') assert.equal(r.matchedStatements[0]?.sid, e.sid, detail);
  else assert.ok(r.matchedStatements.some((m) => m.sid === e.sid), `expected statement ${e.sid}: ${detail}`);
  if (e.reason) assert.match(r.reason, e.reason);
  if (e.missing) assert.deepEqual([...r.missingContextKeys].sort(), [...e.missing].sort(), detail);
}

export interface Case {
  name: string;
  request: RequestContext;
  policies: PolicySet;
  opts?: EvaluateOptions;
  expect: Expect;
}

export function runCase(c: Case): void {
  expectResult(evaluate(c.request, c.policies, c.opts), c.expect);
}
