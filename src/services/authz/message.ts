/**
 * The encoded authorization failure message EC2 denials carry, and its decoding for
 * sts:DecodeAuthorizationMessage.
 *
 * Opaque like AWS's: the JSON is deflated and sealed with AES-256-GCM, then base64url'd, so a
 * client learns the explanation only by asking STS (which enforces the
 * sts:DecodeAuthorizationMessage permission), and a tampered message fails to decode. The key
 * is fixed (derived from a constant): messages decode across restarts and state resets, and
 * nothing secret is at stake in a local emulator.
 *
 * Decoded, a message is the JSON AWS's decoded messages have: {allowed, explicitDeny,
 * matchedStatements: {items}, failures: {items}, context: {principal, action, resource,
 * conditions: {items: [{key, values: {items: [{value}]}}]}}}, plus cloudlet's own
 * `explanation`: the deciding policy and statement, the same as the log line.
 */
import { createCipheriv, createDecipheriv, createHash, randomBytes } from 'node:crypto';
import { deflateRawSync, inflateRawSync } from 'node:zlib';
import { AwsError } from '../../core/errors.js';
import type { MatchedStatement, Policy, RequestContext } from '../../policy/index.js';
import type { DecisionResult, PolicyInputs } from './decision.js';
import { explain, findPolicy } from './decision.js';

const KEY = createHash('sha256').update('cloudlet authorization message key v1').digest();
const VERSION = 1;

export function encodeAuthorizationMessage(explanation: Record<string, unknown>): string {
  const iv = randomBytes(12);
  const cipher = createCipheriv('aes-256-gcm', KEY, iv);
  const sealed = Buffer.concat([cipher.update(deflateRawSync(Buffer.from(JSON.stringify(explanation), 'utf8'))), cipher.final()]);
  return Buffer.concat([Buffer.from([VERSION]), iv, cipher.getAuthTag(), sealed]).toString('base64url');
}

export function decodeAuthorizationMessage(encoded: string): string {
  try {
    const raw = Buffer.from(encoded.trim(), 'base64url');
    if (raw.length < 29 || raw[0] !== VERSION) throw new Error('bad header');
    const decipher = createDecipheriv('aes-256-gcm', KEY, raw.subarray(1, 13));
    decipher.setAuthTag(raw.subarray(13, 29));
    const plain = Buffer.concat([decipher.update(raw.subarray(29)), decipher.final()]);
    return inflateRawSync(plain).toString('utf8');
  } catch {
    throw new AwsError('InvalidAuthorizationMessageException', 'The encoded authorization message is invalid.', 400);
  }
}

const items = <T>(list: T[]): { items: T[] } => ({ items: list });
const values = (v: string | string[]): { items: Array<{ value: string }> } => items((Array.isArray(v) ? v : [v]).map((value) => ({ value })));

function statementItem(inputs: PolicyInputs, m: MatchedStatement, req: RequestContext): Record<string, unknown> {
  const st = findPolicy(inputs, m)?.statements[m.index];
  const conditions: Array<Record<string, unknown>> = [];
  for (const [op, keys] of Object.entries(st?.condition ?? {})) {
    for (const [key, vals] of Object.entries(keys)) conditions.push({ key: `${op}:${key}`, values: values(vals) });
  }
  const principals = st?.principal ? Object.values(st.principal).flat() : [req.principal.userId ?? req.principal.arn];
  return {
    statementId: m.sid ?? `${m.index}`,
    effect: m.effect.toUpperCase(),
    principals: values(principals as string[]),
    principalGroups: items([]),
    actions: values(st?.action ?? (st?.notAction ? [] : [req.action])),
    resources: values(st?.resource ?? (st?.notResource ? [] : ['*'])),
    conditions: items(conditions),
    // cloudlet's additions: where the statement lives.
    policyId: m.policyId,
    policyType: m.source,
    statementIndex: m.index,
  };
}

/** The decoded form of an authorization failure (see the module comment). */
export function authorizationMessage(req: RequestContext, d: DecisionResult, inputs: PolicyInputs, nowMs: number): Record<string, unknown> {
  const p = req.principal;
  const account = req.resourceAccount ?? p.account;
  const conditions: Array<{ key: string; values: ReturnType<typeof values> }> = [];
  const push = (key: string, v: string | string[] | undefined): void => {
    if (v !== undefined) conditions.push({ key, values: values(v) });
  };
  const arnParts = req.resource.split(':');
  const resourcePart = arnParts.slice(5).join(':');
  push('aws:Service', req.action.split(':')[0]);
  if (arnParts.length >= 6) {
    push('aws:Region', arnParts[3] || undefined);
    push('aws:Resource', resourcePart);
    push('aws:Type', resourcePart.split(/[/:]/)[0]);
    push('aws:ARN', req.resource);
  }
  push('aws:Account', account || undefined);
  push('aws:PrincipalArn', p.kind === 'assumed-role' ? p.roleArn ?? p.arn : p.kind === 'anonymous' ? undefined : p.arn);
  push('aws:PrincipalAccount', p.account || undefined);
  push('aws:userid', p.userId);
  push('aws:CurrentTime', new Date(nowMs).toISOString());
  push('aws:EpochTime', String(Math.floor(nowMs / 1000)));
  for (const [k, v] of Object.entries(req.context)) push(k, v);
  return {
    allowed: d.allowed,
    explicitDeny: d.result.decision === 'ExplicitDeny',
    matchedStatements: items(d.result.matchedStatements.map((m) => statementItem(inputs, m, req))),
    failures: items([]),
    context: {
      principal: { id: p.userId ?? p.arn, ...(p.username ? { name: p.username } : {}), arn: p.arn },
      action: req.action,
      resource: req.resource,
      conditions: items(conditions),
    },
    explanation: explain(req, d, inputs),
  };
}
