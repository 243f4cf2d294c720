/**
 * What IAM enforcement costs. Not a test: run it and read the numbers.
 *
 *   node --import tsx src/services/authz/bench.ts [seconds-per-cell]
 *
 * 1. The authorize step alone, in process, over an in-memory store: microseconds per request
 *    for a root caller, an IAM user (inline, group and managed policies, a boundary), a role
 *    session with a session policy, and a denial (with its explanation and, for EC2, the
 *    encoded message).
 * 2. Requests per second over HTTP with wrk (when installed): the same signed request against
 *    `--iam enforce` and `--iam off` servers, root and IAM user, 1 and 32 connections.
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createHash, createHmac } from 'node:crypto';
import { CreateAccessKeyCommand, CreateUserCommand, IAMClient, PutUserPolicyCommand } from '@aws-sdk/client-iam';
import { SignatureV4 } from '@smithy/signature-v4';
import type { Principal } from '../../auth/principal.js';
import { Clock } from '../../core/clock.js';
import { isAwsError } from '../../core/errors.js';
import { createLogger } from '../../core/log.js';
import { loadModel } from '../../protocol/models.js';
import { startCloudlet, type Cloudlet } from '../../server/server.js';
import type { IamMode } from '../../server/context.js';
import { createMemoryStore } from '../../store/memory.js';
import type { Tx } from '../../store/types.js';
import { CATALOG } from '../catalog.js';
import { IAM_KIND, iamScope, type GroupRecord, type ManagedPolicyRecord, type UserRecord } from '../iam/records.js';
import type { RequestContext } from '../types.js';
import { Authorizer } from './index.js';

const SECONDS = Number(process.argv[2] ?? 2);
const A = '000000000000';
const doc = (...statements: Array<Record<string, unknown>>) => JSON.stringify({ Version: '2012-10-17', Statement: statements });

// ---------------------------------------------------------------- 1. in process

function seed(tx: Tx): void {
  const scope = iamScope(A);
  const now = new Date().toISOString();
  const managed: ManagedPolicyRecord = {
    name: 'ops', id: 'ANPAOPS', arn: `arn:aws:iam::${A}:policy/ops`, path: '/', createdAt: now, updatedAt: now, defaultVersionId: 'v1', tags: [],
    versions: [{ versionId: 'v1', createdAt: now, document: doc(
      { Effect: 'Allow', Action: ['ec2:Describe*', 'ec2:Get*'], Resource: '*', Condition: { StringEquals: { 'aws:RequestedRegion': ['us-east-1', 'eu-west-1'] } } },
      { Effect: 'Allow', Action: 's3:*', Resource: ['arn:aws:s3:::team-*', 'arn:aws:s3:::team-*/*'] },
      { Effect: 'Deny', Action: 'ec2:TerminateInstances', Resource: '*', Condition: { BoolIfExists: { 'aws:MultiFactorAuthPresent': 'false' } } },
    ) }],
  };
  const boundary: ManagedPolicyRecord = { ...managed, name: 'cap', id: 'ANPACAP', arn: `arn:aws:iam::${A}:policy/cap`,
    versions: [{ versionId: 'v1', createdAt: now, document: doc({ Effect: 'Allow', Action: ['ec2:*', 'iam:*', 's3:*', 'sts:*'], Resource: '*' }) }] };
  const group: GroupRecord = { name: 'devs', id: 'AGPADEVS', arn: `arn:aws:iam::${A}:group/devs`, path: '/', createdAt: now,
    inlinePolicies: { read: doc({ Effect: 'Allow', Action: ['iam:Get*', 'iam:List*'], Resource: '*' }) }, attachedPolicies: [managed.arn] };
  const user: UserRecord = { name: 'alice', id: 'AIDAALICE', arn: `arn:aws:iam::${A}:user/alice`, path: '/', createdAt: now, tags: [{ Key: 'team', Value: 'blue' }],
    permissionsBoundary: boundary.arn, attachedPolicies: [], groups: ['devs'], accessKeys: [],
    inlinePolicies: { own: doc({ Sid: 'Home', Effect: 'Allow', Action: 's3:*', Resource: 'arn:aws:s3:::home/${aws:username}/*' }) } };
  const role = { name: 'app', id: 'AROAAPP', arn: `arn:aws:iam::${A}:role/app`, path: '/', createdAt: now, maxSessionDuration: 3600, tags: [],
    assumeRolePolicyDocument: doc({ Effect: 'Allow', Principal: { AWS: A }, Action: 'sts:AssumeRole' }),
    inlinePolicies: { all: doc({ Effect: 'Allow', Action: '*', Resource: '*' }) }, attachedPolicies: [] };
  tx.put(scope, IAM_KIND.policy, managed.name, managed);
  tx.put(scope, IAM_KIND.policy, boundary.name, boundary);
  tx.put(scope, IAM_KIND.group, group.name, group);
  tx.put(scope, IAM_KIND.user, user.name, user);
  tx.put(scope, IAM_KIND.role, role.name, role);
}

const principals: Record<string, Principal> = {
  root: { kind: 'root', account: A, arn: `arn:aws:iam::${A}:root`, userId: A },
  user: { kind: 'user', account: A, arn: `arn:aws:iam::${A}:user/alice`, userId: 'AIDAALICE', name: 'alice' },
  session: { kind: 'assumed-role', account: A, arn: `arn:aws:sts::${A}:assumed-role/app/s1`, userId: 'AROAAPP:s1', name: 'app', roleArn: `arn:aws:iam::${A}:role/app`,
    sessionName: 's1', expiresAt: Date.now() + 3600_000, sessionPolicies: [doc({ Effect: 'Allow', Action: ['ec2:Describe*', 'iam:List*'], Resource: '*' })] },
};

interface Case { label: string; service: string; operation: string; input: unknown; principal: string; denied?: boolean }

const CASES: Case[] = [
  { label: 'root, ec2:DescribeAvailabilityZones', service: 'ec2', operation: 'DescribeAvailabilityZones', input: {}, principal: 'root' },
  { label: 'root, sts:AssumeRole (trust policy)', service: 'sts', operation: 'AssumeRole', input: { RoleArn: `arn:aws:iam::${A}:role/app`, RoleSessionName: 'bench' }, principal: 'root' },
  { label: 'user, ec2:DescribeAvailabilityZones (allowed)', service: 'ec2', operation: 'DescribeAvailabilityZones', input: {}, principal: 'user' },
  { label: 'user, iam:ListUsers (allowed)', service: 'iam', operation: 'ListUsers', input: {}, principal: 'user' },
  { label: 'user, s3:GetObject (policy variable)', service: 's3', operation: 'GetObject', input: { Bucket: 'home', Key: 'alice/notes.txt' }, principal: 'user' },
  { label: 'user, ec2:RunInstances (6 resources, denied)', service: 'ec2', operation: 'RunInstances', input: { ImageId: 'ami-1', MinCount: 1, MaxCount: 1 }, principal: 'user', denied: true },
  { label: 'user, iam:CreateUser (denied)', service: 'iam', operation: 'CreateUser', input: { UserName: 'bob' }, principal: 'user', denied: true },
  { label: 'role session + session policy, ec2:DescribeAvailabilityZones', service: 'ec2', operation: 'DescribeAvailabilityZones', input: {}, principal: 'session' },
];

async function inProcess(): Promise<void> {
  const store = createMemoryStore();
  await store.transaction((tx) => seed(tx));
  const authz = new Authorizer({ mode: 'enforce', log: createLogger('silent') });
  const clock = new Clock();
  const services = new Map(CATALOG.map((e) => [e.name, { entry: e, model: loadModel(e.modelId) }]));
  console.log(`\n1. the authorize step, in process (${SECONDS}s per case)\n`);
  console.log(`${'case'.padEnd(62)} ${'CPU us/req'.padStart(10)} ${'req/s/core'.padStart(11)}`);
  for (const c of CASES) {
    const svc = services.get(c.service)!;
    await store.transaction(async (tx) => {
      const ctx = {
        requestId: 'bench', service: c.service, operation: c.operation, account: A, region: 'us-east-1', scope: { account: A, region: 'us-east-1' },
        principal: principals[c.principal]!, clock, tx, log: createLogger('silent'), sourceIp: '127.0.0.1', responseHeaders: {}, transact: () => { throw new Error('no nested transactions in the bench'); }, afterCommit: () => {},
      } as unknown as RequestContext;
      const once = async () => {
        try {
          await authz.authorize(svc, c.input, ctx);
          if (c.denied) throw new Error(`${c.label}: expected a denial`);
        } catch (e) {
          if (!c.denied || !isAwsError(e)) throw e;
        }
      };
      for (let i = 0; i < 2000; i++) await once(); // warm-up
      // CPU time, not wall time: other load on the machine does not count against a case.
      let n = 0;
      const wallEnd = Date.now() + SECONDS * 1000;
      const cpu0 = process.cpuUsage();
      while (Date.now() < wallEnd) {
        for (let i = 0; i < 500; i++) await once();
        n += 500;
      }
      const cpu = process.cpuUsage(cpu0);
      const us = (cpu.user + cpu.system) / n;
      console.log(`${c.label.padEnd(62)} ${us.toFixed(2).padStart(10)} ${Math.round(1e6 / us).toString().padStart(11)}`);
    });
  }
  console.log(`\nparsed-policy cache: ${authz.policies.size} entries, ${authz.policies.hits} hits, ${authz.policies.misses} misses`);
}

// ---------------------------------------------------------------- 2. over HTTP

class Sha256 {
  private readonly h;
  constructor(secret?: unknown) { this.h = secret ? createHmac('sha256', secret as string) : createHash('sha256'); }
  update(d: Uint8Array | string) { this.h.update(d); }
  async digest() { return new Uint8Array(this.h.digest()); }
}

async function signed(url: string, creds: { accessKeyId: string; secretAccessKey: string }, service: string, body: string) {
  const u = new URL(url);
  const signer = new SignatureV4({ service, region: 'us-east-1', credentials: creds, sha256: Sha256 as never });
  const s = await signer.sign({
    method: 'POST', protocol: 'http:', hostname: u.hostname, port: Number(u.port), path: '/', query: {},
    headers: { host: u.host, 'content-type': 'application/x-www-form-urlencoded; charset=utf-8' }, body,
  });
  return { headers: s.headers as Record<string, string>, body };
}

/** wrk, asynchronously (the server under test runs in this process). */
function wrk(url: string, req: { headers: Record<string, string>; body: string }, connections: number): Promise<{ rps: number; requests: number; non2xx: number }> {
  const dir = mkdtempSync(join(tmpdir(), 'cloudlet-authz-bench-'));
  const q = (s: string) => JSON.stringify(s);
  const script = join(dir, 'req.lua');
  writeFileSync(script, [`wrk.method = "POST"`, `wrk.body = ${q(req.body)}`,
    ...Object.entries(req.headers).filter(([k]) => k !== 'host').map(([k, v]) => `wrk.headers[${q(k)}] = ${q(v)}`)].join('\n'));
  return new Promise((done, fail) => {
    const child = spawn('wrk', ['-t1', `-c${connections}`, `-d${SECONDS}s`, '-s', script, url]);
    let out = '';
    child.stdout.on('data', (d: Buffer) => { out += d.toString(); });
    child.on('error', fail);
    child.on('close', () => {
      rmSync(dir, { recursive: true, force: true });
      done({
        rps: Number(/Requests\/sec:\s+([\d.]+)/.exec(out)?.[1] ?? 0),
        requests: Number(/(\d+) requests in/.exec(out)?.[1] ?? 0),
        non2xx: Number(/Non-2xx or 3xx responses:\s+(\d+)/.exec(out)?.[1] ?? 0),
      });
    });
  });
}

async function haveWrk(): Promise<boolean> {
  return new Promise((done) => {
    const c = spawn('wrk', ['--version']);
    c.on('error', () => done(false));
    c.on('close', () => done(true));
  });
}

async function overHttp(): Promise<void> {
  if (!(await haveWrk())) {
    console.log('\n2. over HTTP: skipped (needs wrk: apt-get install -y wrk)');
    return;
  }
  const cases = [
    { label: 'root, ec2 DescribeAvailabilityZones', who: 'root', service: 'ec2', body: 'Action=DescribeAvailabilityZones&Version=2016-11-15' },
    { label: 'user, ec2 DescribeAvailabilityZones', who: 'user', service: 'ec2', body: 'Action=DescribeAvailabilityZones&Version=2016-11-15' },
    { label: 'user, sts GetCallerIdentity (needs no permission)', who: 'user', service: 'sts', body: 'Action=GetCallerIdentity&Version=2011-06-15' },
    { label: 'user, iam ListGroups', who: 'user', service: 'iam', body: 'Action=ListGroups&Version=2010-05-08' },
  ];
  const results = new Map<string, number>();
  const cpuPer = new Map<string, number>();
  // Both servers up at once; each cell alternates off/enforce ROUNDS times and keeps the best
  // of each, so drift in machine load does not land on one mode.
  const ROUNDS = 3;
  const servers: Array<{ mode: IamMode; cl: Cloudlet; reqs: Array<{ headers: Record<string, string>; body: string }> }> = [];
  try {
    for (const mode of ['off', 'enforce'] as IamMode[]) {
      const cl: Cloudlet = await startCloudlet({ port: 0, ephemeral: true, logLevel: 'silent', iam: mode });
      servers.push({ mode, cl, reqs: [] });
      const root = { accessKeyId: 'test', secretAccessKey: 'test' };
      const iam = new IAMClient({ endpoint: cl.url, region: 'us-east-1', credentials: root, maxAttempts: 1 });
      await iam.send(new CreateUserCommand({ UserName: 'bench' }));
      await iam.send(new PutUserPolicyCommand({ UserName: 'bench', PolicyName: 'p', PolicyDocument: doc(
        { Effect: 'Allow', Action: ['ec2:Describe*', 'iam:List*'], Resource: '*' },
        { Effect: 'Deny', Action: 'iam:Delete*', Resource: '*' },
      ) }));
      const k = (await iam.send(new CreateAccessKeyCommand({ UserName: 'bench' }))).AccessKey!;
      const user = { accessKeyId: k.AccessKeyId!, secretAccessKey: k.SecretAccessKey! };
      for (const c of cases) {
        const req = await signed(cl.url, c.who === 'root' ? root : user, c.service, c.body);
        servers[servers.length - 1]!.reqs.push(req);
        await wrk(cl.url, req, 8); // warm-up: let the JIT settle before measuring
      }
    }
    for (const [i, c] of cases.entries()) {
      for (const conns of [1, 32]) {
        for (let round = 0; round < ROUNDS; round++) {
          for (const s of servers) {
            // The servers run in this process and wrk in its own: this process's CPU time
            // is the servers' cost of the requests.
            const cpu0 = process.cpuUsage();
            const r = await wrk(s.cl.url, s.reqs[i]!, conns);
            const cpu = process.cpuUsage(cpu0);
            if (r.non2xx) console.error(`warning: ${s.mode} ${c.label}: ${r.non2xx} non-2xx responses`);
            const key = `${c.label}|${conns}|${s.mode}`;
            results.set(key, Math.max(results.get(key) ?? 0, r.rps));
            const perReq = (cpu.user + cpu.system) / Math.max(1, r.requests);
            cpuPer.set(key, Math.min(cpuPer.get(key) ?? Infinity, perReq));
          }
        }
      }
    }
  } finally {
    for (const s of servers) await s.cl.close();
  }
  console.log(`\n2. over HTTP, wrk -t1, best of ${ROUNDS} alternating ${SECONDS}s runs per cell, loopback\n`);
  console.log('   req/s: best observed; CPU: server CPU microseconds per request (lowest of the runs), the');
  console.log('   measure that survives a busy machine; cost: the extra CPU per request, i.e. the share of');
  console.log('   requests/s enforcement takes from a CPU-bound server.\n');
  console.log(`${'request'.padEnd(52)} ${'conns'.padStart(5)} ${'req/s off'.padStart(10)} ${'enforce'.padStart(8)} ${'CPU off'.padStart(8)} ${'enforce'.padStart(8)} ${'cost'.padStart(7)}`);
  for (const c of cases) {
    for (const conns of [1, 32]) {
      const k = (mode: string) => `${c.label}|${conns}|${mode}`;
      const off = cpuPer.get(k('off'))!;
      const on = cpuPer.get(k('enforce'))!;
      console.log(`${c.label.padEnd(52)} ${String(conns).padStart(5)} ${results.get(k('off'))!.toFixed(0).padStart(10)} ${results.get(k('enforce'))!.toFixed(0).padStart(8)} ${off.toFixed(1).padStart(8)} ${on.toFixed(1).padStart(8)} ${`${((1 - off / on) * 100).toFixed(1)}%`.padStart(7)}`);
    }
  }
}

await inProcess();
await overHttp();
