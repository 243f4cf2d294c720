/**
 * botocore (python3) against cloudlet's codecs: one python process per target runs every case
 * through a real botocore client (botocore_driver.py). Each case checks both directions in one
 * call, as the JS SDK driver does.
 */
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { AwsError } from '../../src/core/errors.js';
import type { WireRequest, WireResponse } from '../../src/protocol/codec.js';
import { sampleFor, type Sample } from '../../src/protocol/samples.js';
import { botocoreErrors, botocoreModel, botocoreRaw } from './botocore-model.js';
import { describeDifference, firstDifference } from './compare.js';
import { aliased, classifyDefects, modelDefects, wireAliases } from './defects.js';
import { decodePolicies, fixInput, fixOutput, normaliseRequest, normaliseResponse, removePath } from './normalize.js';
import { newReport, type TargetReport } from './report.js';
import { HOST_PREFIX_WHY, hostPrefixed, isEventStreamOutput, type RunOptions } from './sdk.js';
import type { Target } from './targets.js';
import { modelBindings, modelView, prune, tokenMembers } from './views.js';
import { Readable } from 'node:stream';
import { toPathStyle } from '../../src/protocol/s3-addressing.js';

const DRIVER = fileURLToPath(new URL('./botocore_driver.py', import.meta.url));

/** JS values -> the driver's JSON markers. */
export function toPython(v: unknown): unknown {
  if (v instanceof Date) return { $date: v.getTime() };
  if (v instanceof Uint8Array) return { $blob: Buffer.from(v).toString('base64') };
  if (typeof v === 'number' && !Number.isFinite(v)) return { $float: Number.isNaN(v) ? 'NaN' : v > 0 ? 'Infinity' : '-Infinity' };
  if (Array.isArray(v)) return v.map(toPython);
  if (v && typeof v === 'object') return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, toPython(x)]));
  return v;
}

/** The JSON the driver printed -> JS values; None (null) is absent, as botocore uses it. */
export function fromPython(v: unknown): unknown {
  if (v === null) return undefined;
  if (Array.isArray(v)) return v.map(fromPython);
  if (v && typeof v === 'object') {
    const o = v as Record<string, unknown>;
    const keys = Object.keys(o);
    if (keys.length === 1 && keys[0] === '$date') return new Date(o.$date as number);
    if (keys.length === 1 && keys[0] === '$blob') return Buffer.from(o.$blob as string, 'base64');
    if (keys.length === 1 && keys[0] === '$float') return Number(o.$float);
    const out: Record<string, unknown> = {};
    for (const [k, x] of Object.entries(o)) Object.defineProperty(out, k, { value: fromPython(x), enumerable: true, writable: true, configurable: true });
    return out;
  }
  return v;
}

interface Job {
  id: number;
  service: string;
  protocol?: string;
  addressing?: 'path' | 'virtual';
  endpoint?: string;
  operation: string;
  params: unknown;
  response: { status: number; headers: Record<string, string>; body: string };
}

interface JobResult {
  id: number;
  missing?: boolean;
  request?: { method: string; url: string; headers: Record<string, string>; body: string };
  ok?: unknown;
  meta?: { RequestId?: string; HTTPStatusCode?: number };
  error?: { class: string; Error: { Code?: string; Message?: string }; RequestId?: string; HTTPStatusCode?: number };
  exception?: string;
}

/** Runs the jobs in one python3 process; undefined when python3 or botocore is missing. */
export async function runDriver(jobs: Job[], timeoutMs: number): Promise<Map<number, JobResult>> {
  const child = spawn('python3', [DRIVER], { stdio: ['pipe', 'pipe', 'pipe'] });
  const out: Buffer[] = [];
  const err: Buffer[] = [];
  child.stdout.on('data', (c: Buffer) => out.push(c));
  child.stderr.on('data', (c: Buffer) => err.push(c));
  const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
  child.stdin.on('error', () => {});
  child.stdin.end(JSON.stringify({ jobs }));
  const code = await new Promise<number | null>((resolve) => child.on('close', resolve));
  clearTimeout(timer);
  if (code !== 0) throw new Error(`botocore driver exited with ${code}: ${Buffer.concat(err).toString().slice(-1500).replace(/\s+/g, " ")}`);
  const results = new Map<number, JobResult>();
  for (const line of Buffer.concat(out).toString('utf8').split('\n')) {
    if (!line.trim()) continue;
    const r = JSON.parse(line) as JobResult;
    results.set(r.id, r);
  }
  return results;
}

function wireFrom(req: NonNullable<JobResult['request']>): WireRequest {
  const u = /^[a-z]+:\/\/([^/?#]*)([^?#]*)(?:\?([^#]*))?/i.exec(req.url);
  const headers: Record<string, string> = {};
  for (const [k, v] of Object.entries(req.headers)) headers[k.toLowerCase()] = v;
  const host = (u?.[1] ?? '').replace(/:\d+$/, '');
  return { method: req.method, path: u?.[2] || '/', query: u?.[3] ?? '', headers, body: Buffer.from(req.body, 'base64'), host };
}

async function wireBody(res: WireResponse): Promise<Buffer> {
  if (Buffer.isBuffer(res.body)) return res.body;
  const chunks: Buffer[] = [];
  for await (const c of res.body as Readable) chunks.push(Buffer.from(c as Buffer));
  return Buffer.concat(chunks);
}

async function jobResponse(res: WireResponse): Promise<Job['response']> {
  return { status: res.status, headers: res.headers, body: (await wireBody(res)).toString('base64') };
}

const errText = (e: unknown) => (e instanceof Error ? `${e.name}: ${e.message}` : String(e)).slice(0, 300);

export async function runBotocoreTarget(target: Target, opts: RunOptions): Promise<TargetReport> {
  const started = Date.now();
  const report = newReport(target.service, target.protocol, 'botocore');
  const model = target.model;
  const bmodel = botocoreModel(target.botocore.name, model.metadata.apiVersion);
  if (!bmodel) {
    report.notes.push('skipped: python3 with botocore is not installed');
    return report;
  }
  const braw = botocoreRaw(target.botocore.name, model.metadata.apiVersion);
  const meta = bmodel.metadata as { protocols?: string[]; protocol: string };
  if (target.botocore.protocol && (meta.protocols?.[0] ?? meta.protocol) !== target.botocore.protocol) {
    report.notes.push(`botocore's own choice for ${target.service} is ${meta.protocols?.[0] ?? meta.protocol} (its own row); these cases pin botocore to ${target.botocore.protocol}`);
  }
  const inModel = model.operationNames;
  const inClient = new Set(bmodel.operationNames);
  report.modelOperations = inModel.length;
  report.clientOperations = inClient.size;
  report.onlyInModel = inModel.filter((o) => !inClient.has(o)).sort();
  report.onlyInClient = [...inClient].filter((o) => !model.operation(o)).sort();
  const both = inModel.filter((o) => inClient.has(o)).sort();
  const operations = opts.pick ? opts.pick(both) : both;

  interface Pending {
    kind: 'case';
    operation: string;
    input: Sample;
    output: Sample;
    sent: Record<string, unknown>;
    expectedOut: Record<string, unknown>;
    ignored: string[];
    requestId: string;
    eventStream: boolean;
    encodeError?: unknown;
  }
  interface PendingError {
    kind: 'error';
    operation: string;
    code: string;
    status: number;
    message: string;
    requestId: string;
  }
  const jobs: Job[] = [];
  const pending = new Map<number, Pending | PendingError>();
  const skewSink = (op: string) => (path: string, what: string) => report.skew.set(`${op}.${path}`, what);
  const base = {
    service: target.botocore.name,
    ...(target.botocore.protocol ? { protocol: target.botocore.protocol } : {}),
    ...(target.botocore.addressing ? { addressing: target.botocore.addressing } : {}),
    ...(target.botocore.endpoint ? { endpoint: target.botocore.endpoint } : {}),
  };

  for (const operation of operations) {
    const op = model.operation(operation)!;
    const bop = bmodel.operation(operation)!;
    if (hostPrefixed(target, operation)) {
      report.unsupported.push({ operation, direction: 'request', why: HOST_PREFIX_WHY });
      continue;
    }
    const eventStream = isEventStreamOutput(target, op);
    if (eventStream) report.unsupported.push({ operation, direction: 'response', why: "event-stream output: cloudlet's codecs do not write event streams" });
    const inView = bop.input ? modelView(bmodel, bop.input) : undefined;
    const outView = bop.output ? modelView(bmodel, bop.output) : undefined;
    for (let i = 0; i < opts.cases; i++) {
      const common = { seed: opts.seed, protocol: target.wire, carrier: 'botocore' as const, constraints: bmodel };
      const input = sampleFor(model, operation, i, { ...common, direction: 'input' });
      const output = sampleFor(model, operation, i, { ...common, direction: 'output' });
      output.value = fixOutput(model, operation, output.value);
      const sent = fixInput(model, 'botocore', (prune(input.value, inView, skewSink(operation), '', false, undefined, modelBindings(model, op.input)) ?? {}) as Record<string, unknown>, operation);
      const ignored: string[] = [];
      const expectedOut = (prune(output.value, outView, skewSink(operation), '', true, ignored, modelBindings(model, op.output)) ?? {}) as Record<string, unknown>;
      const requestId = `boto-${jobs.length + 1}`;
      const p: Pending = { kind: 'case', operation, input, output, sent, expectedOut, ignored, requestId, eventStream };
      let res: WireResponse;
      try {
        res = target.codec.serializeOutput(model, op, output.value, { requestId });
      } catch (e) {
        p.encodeError = e;
        res = target.codec.serializeError(model, new AwsError('InternalFailure', 'encode failed', 500), { requestId }, op);
      }
      const id = jobs.length + 1;
      jobs.push({ id, ...base, operation, params: toPython(sent), response: await jobResponse(res) });
      pending.set(id, p);
    }
  }

  // Errors: every error shape of botocore's model, by its wire code, plus unmodeled ones.
  const errOp = both.find((o) => model.operation(o)!.http?.method !== 'HEAD' && !isEventStreamOutput(target, model.operation(o)!));
  if (errOp) {
    const bop = bmodel.operation(errOp)!;
    const input = sampleFor(model, errOp, 1, { seed: opts.seed, direction: 'input', protocol: target.wire, carrier: 'botocore', constraints: bmodel });
    const sent = fixInput(model, 'botocore', (prune(input.value, bop.input ? modelView(bmodel, bop.input) : undefined, () => {}) ?? {}) as Record<string, unknown>, errOp);
    const errors = botocoreErrors(target.botocore.name, model.metadata.apiVersion);
    const codes = [...new Map(errors.map((e) => [e.code, e.status])).entries()];
    codes.push(['CloudletUnmodeledError', 400], ['InternalFailure', 500], ['Throttling', 429]);
    if (target.wire === 'ec2') codes.push(['InvalidInstanceID.NotFound', 400]);
    for (const [code, status] of codes) {
      const requestId = `boto-err-${jobs.length + 1}`;
      const message = `cloudlet says <${code}> & "no"`;
      const res = target.codec.serializeError(model, new AwsError(code, message, status), { requestId }, model.operation(errOp));
      const id = jobs.length + 1;
      jobs.push({ id, ...base, operation: errOp, params: toPython(sent), response: await jobResponse(res) });
      pending.set(id, { kind: 'error', operation: errOp, code, status, message, requestId });
    }
  }

  let results: Map<number, JobResult>;
  try {
    results = await runDriver(jobs, opts.timeoutMs ? opts.timeoutMs * Math.max(10, jobs.length) : 600_000);
  } catch (e) {
    report.failures.push({ direction: 'request', operation: '*', label: '(driver)', path: '(botocore)', detail: String((e as Error).message).slice(-2000) });
    report.ms = Date.now() - started;
    return report;
  }

  for (const [id, p] of pending) {
    const r = results.get(id);
    if (!r) {
      report.failures.push({ direction: p.kind === 'error' ? 'error' : 'request', operation: p.operation, label: String(id), path: '(botocore)', detail: 'no result from the driver' });
      continue;
    }
    if (p.kind === 'error') {
      report.cases.error++;
      const e = r.error;
      const checks: Array<[string, unknown, unknown]> = [
        ['Error.Code', p.code, e?.Error.Code],
        ['Error.Message', p.message, e?.Error.Message],
        ['ResponseMetadata.RequestId', p.requestId, e?.RequestId],
        ['ResponseMetadata.HTTPStatusCode', p.status, e?.HTTPStatusCode],
      ];
      const bad = checks.find(([, want, have]) => want !== have);
      if (bad) {
        report.failures.push({ direction: 'error', operation: p.operation, label: p.code, path: bad[0], detail: `expected ${JSON.stringify(bad[1])}, got ${JSON.stringify(bad[2])}${e ? '' : ` (${r.exception ?? 'no error raised'})`}` });
      }
      continue;
    }
    const op = model.operation(p.operation)!;
    // Request direction.
    report.cases.request++;
    if (!r.request) {
      report.failures.push({ direction: 'request', operation: p.operation, label: p.input.label, path: '(client)', detail: `botocore sent nothing: ${r.exception ?? 'no request'}` });
      continue;
    }
    let wire = wireFrom(r.request);
    if (target.virtualHost) wire = { ...wire, path: toPathStyle(wire.host, wire.path).path };
    try {
      const resolved = target.codec.resolveOperation(wire, model);
      if (resolved !== p.operation && wireAliases(model, p.operation, resolved)) {
        aliased(report, p.operation, resolved);
      } else if (resolved !== p.operation) {
        report.failures.push({ direction: 'request', operation: p.operation, label: p.input.label, path: '(operation)', detail: `resolved as ${resolved}` });
      } else {
        const decoded = target.codec.parseInput(wire, model, op);
        const bop = bmodel.operation(p.operation)!;
        const tokens = tokenMembers(bop.input ? modelView(bmodel, bop.input) : undefined, Object.keys(decoded));
        const [want, got] = normaliseRequest(model, p.operation, 'botocore', p.sent, decoded, tokens);
        const d = firstDifference(want, got);
        if (d) report.failures.push({ direction: 'request', operation: p.operation, label: p.input.label, path: d.path, detail: describeDifference(d) });
        else report.covered.request.add(p.operation);
      }
    } catch (e) {
      report.failures.push({ direction: 'request', operation: p.operation, label: p.input.label, path: '(codec)', detail: `parse failed: ${errText(e)}` });
    }
    // Response direction.
    if (p.eventStream) continue;
    report.cases.response++;
    if (p.encodeError !== undefined) {
      report.failures.push({ direction: 'response', operation: p.operation, label: p.output.label, path: '(codec)', detail: `serializeOutput threw: ${errText(p.encodeError)}` });
      continue;
    }
    if (r.ok === undefined) {
      const why = r.error ? `${r.error.class} ${r.error.Error.Code}: ${r.error.Error.Message}` : r.exception;
      report.failures.push({ direction: 'response', operation: p.operation, label: p.output.label, path: '(client)', detail: `botocore could not read the response: ${why}` });
      continue;
    }
    const read = fromPython(r.ok) as Record<string, unknown>;
    for (const path of p.ignored) removePath(read, path);
    const expected = model.metadata.serviceId === 'IAM' ? decodePolicies(braw!, p.operation, p.expectedOut) : p.expectedOut;
    const [want, got] = normaliseResponse(model, p.operation, 'botocore', expected, read, p.output.value);
    const d = firstDifference(want, got);
    if (d) report.failures.push({ direction: 'response', operation: p.operation, label: p.output.label, path: d.path, detail: describeDifference(d) });
    // botocore's RPC v2 parser leaves ResponseMetadata out for operations without an output shape.
    else if (r.meta?.RequestId !== p.requestId && !(target.protocol === 'rpc-v2-cbor' && !bmodel.operation(p.operation)?.output)) {
      report.failures.push({ direction: 'response', operation: p.operation, label: p.output.label, path: 'ResponseMetadata.RequestId', detail: `expected ${p.requestId}, got ${r.meta?.RequestId}` });
    } else report.covered.response.add(p.operation);
  }
  classifyDefects(report, modelDefects(model, bmodel));
  report.ms = Date.now() - started;
  return report;
}
