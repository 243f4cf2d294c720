/**
 * Decisions per second for one principal with 10 identity policies of 5 statements each
 * (wildcards, conditions, a policy variable, a Deny), plus a bucket policy and a boundary.
 * Run: node --import tsx src/policy/bench.ts [seconds]. The workload is exported for
 * bench/policy-worst.ts, which sets pathological patterns beside it.
 */

import { fileURLToPath } from 'node:url';
import { evaluate } from './evaluate.js';
import { ACCT, allow, deny, pol, rpol, user } from './testkit.js';
import type { PolicySet, RequestContext } from './types.js';

const identity = Array.from({ length: 10 }, (_, i) =>
  pol([
    allow(`Read${i}`, { Action: ['s3:Get*', 's3:List*'], Resource: [`arn:aws:s3:::bucket-${i}`, `arn:aws:s3:::bucket-${i}/*`] }),
    allow(`Table${i}`, { Action: 'dynamodb:*', Resource: `arn:aws:dynamodb:us-east-1:${ACCT}:table/t-${i}*`,
      Condition: { StringEquals: { 'aws:RequestedRegion': 'us-east-1' } } }),
    deny(`NoIamWithoutMfa${i}`, { Action: 'iam:*', Condition: { BoolIfExists: { 'aws:MultiFactorAuthPresent': 'false' } } }),
    allow(`Queue${i}`, { Action: 'sqs:Send*', Resource: `arn:aws:sqs:*:${ACCT}:q-${i}-*`, Condition: { IpAddress: { 'aws:SourceIp': ['10.0.0.0/8', '2001:db8::/32'] } } }),
    allow(`Home${i}`, { Action: ['s3:PutObject', 's3:DeleteObject'], Resource: `arn:aws:s3:::bucket-${i}/home/\${aws:username}/*`,
      Condition: { StringLike: { 's3:x-amz-storage-class': ['STANDARD*', 'GLACIER'] }, NumericLessThanEquals: { 's3:max-keys': '1000' } } }),
  ], { id: `policy-${i}` }));

export const NORMAL_POLICIES: PolicySet = {
  identity,
  boundary: pol([allow('Boundary', { Action: ['s3:*', 'sqs:*', 'dynamodb:*', 'iam:Get*'] })], { kind: 'boundary' }),
  resource: rpol([allow('Bucket', { Principal: { AWS: `arn:aws:iam::${ACCT}:user/carol` }, Action: 's3:*' }),
    deny('TlsOnly', { Condition: { Bool: { 'aws:SecureTransport': 'false' } } })]),
};

const principal = user('alice');
const context = {
  'aws:SourceIp': '10.1.2.3', 'aws:SecureTransport': 'true', 'aws:RequestedRegion': 'us-east-1',
  'aws:MultiFactorAuthPresent': 'true', 's3:x-amz-storage-class': 'STANDARD', 's3:max-keys': '100',
};
export const NORMAL_REQUESTS: RequestContext[] = [
  { action: 's3:GetObject', resource: 'arn:aws:s3:::bucket-7/data/file.csv' },
  { action: 's3:PutObject', resource: 'arn:aws:s3:::bucket-3/home/alice/notes.txt' },
  { action: 's3:PutObject', resource: 'arn:aws:s3:::bucket-3/home/bob/notes.txt' },
  { action: 'dynamodb:GetItem', resource: `arn:aws:dynamodb:us-east-1:${ACCT}:table/t-5-orders` },
  { action: 'sqs:SendMessage', resource: `arn:aws:sqs:us-east-1:${ACCT}:q-2-jobs` },
  { action: 'iam:CreateUser', resource: `arn:aws:iam::${ACCT}:user/eve` },
  { action: 'ec2:RunInstances', resource: '*' },
  { action: 's3:ListBucket', resource: 'arn:aws:s3:::bucket-9' },
].map((r) => ({ ...r, principal, context }));

const policies = NORMAL_POLICIES;
const requests = NORMAL_REQUESTS;

function run(seconds: number): void {
  const tally: Record<string, number> = {};
  for (const r of requests) tally[`${r.action} -> ${evaluate(r, policies).decision}`] = 1;
  // Warm-up so the JIT has compiled the hot paths before timing.
  for (let i = 0; i < 200_000; i++) evaluate(requests[i % requests.length]!, policies);
  let n = 0;
  const start = process.hrtime.bigint();
  const deadline = start + BigInt(Math.round(seconds * 1e9));
  let now = start;
  while (now < deadline) {
    for (let i = 0; i < 10_000; i++) evaluate(requests[(n + i) % requests.length]!, policies);
    n += 10_000;
    now = process.hrtime.bigint();
  }
  const elapsed = Number(now - start) / 1e9;
  console.log(Object.keys(tally).join('\n'));
  console.log(`${n} decisions in ${elapsed.toFixed(2)} s: ${Math.round(n / elapsed).toLocaleString('en-US')} decisions/s ` +
    `(10 policies x 5 statements + boundary + bucket policy, one core)`);
}

if (process.argv[1] === fileURLToPath(import.meta.url)) run(Number(process.argv[2] ?? 3));
