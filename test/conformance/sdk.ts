/**
 * The AWS SDK for JavaScript v3 against cloudlet's codecs, in process. One client per target;
 * its requestHandler is the whole server: it hands the SDK's HTTP request to the codec
 * (resolveOperation + parseInput) and answers with the codec's serializeOutput / serializeError.
 * Each case checks both directions in one call: the input the client was given must come out of
 * parseInput, and the output cloudlet encoded must come out of the client.
 */
import { AwsError } from '../../src/core/errors.js';
import type { WireRequest, WireResponse } from '../../src/protocol/codec.js';
import { sampleFor, type Sample } from '../../src/protocol/samples.js';
import type { Operation } from '../../src/protocol/model-types.js';
import { botocoreModel } from './botocore-model.js';
import { aliased, classifyDefects, modelDefects, wireAliases } from './defects.js';
import { canonical, describeDifference, firstDifference } from './compare.js';
import { fixInput, fixOutput, normaliseRequest, normaliseResponse, removePath } from './normalize.js';
import { newReport, type TargetReport } from './report.js';
import type { Target } from './targets.js';
import { modelBindings, prune, sdkView, tokenMembers, type View } from './views.js';
import { drain, toHttpResponse, toWireRequest, type SdkHttpRequest } from './wire.js';
import { toPathStyle } from '../../src/protocol/s3-addressing.js';

export interface RunOptions {
  seed: number;
  cases: number;
  /** Restricts the operations (after the model/client intersection). */
  pick?: (operations: string[]) => string[];
  /** Per-call time limit. */
  timeoutMs?: number;
}

type Exchange = (req: SdkHttpRequest) => Promise<WireResponse>;
type AnyClient = { send(c: unknown): Promise<Record<string, unknown>>; destroy?(): void };
type Module = Record<string, unknown>;

const errText = (e: unknown) => (e instanceof Error ? `${e.name}: ${e.message}` : String(e)).slice(0, 300);

/**
 * With virtual-hosted addressing, an operation that puts a label in front of the host
 * (WriteGetObjectResponse: {RequestRoute}.s3-object-lambda...) cannot be told from a request to
 * a bucket of that name on a shared endpoint.
 */
export function hostPrefixed(target: Target, operation: string): boolean {
  return Boolean(target.virtualHost && target.model.operation(operation)?.endpoint?.hostPrefix);
}

export const HOST_PREFIX_WHY = 'its host prefix ({RequestRoute}.) reads as a virtual-hosted bucket on a shared endpoint (AWS serves it from s3-object-lambda)';

export function isEventStreamOutput(target: Target, op: Operation): boolean {
  if (!op.output) return false;
  const s = target.model.resolve(op.output);
  return Object.values(s.members ?? {}).some((r) => target.model.resolve(r).eventstream);
}

function withTimeout<T>(p: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout;
  return Promise.race([
    p.finally(() => clearTimeout(timer)),
    new Promise<T>((_, reject) => {
      timer = setTimeout(() => reject(new Error(`${what}: no answer in ${ms} ms`)), ms);
    }),
  ]);
}

export async function sdkClientFor(target: Target, exchange: { current?: Exchange }): Promise<{ mod: Module; client: AnyClient }> {
  const mod = (await import(target.sdk.pkg)) as Module;
  const Client = mod[target.sdk.client] as new (c: object) => AnyClient;
  const client = new Client({
    region: 'us-east-1',
    endpoint: 'http://127.0.0.1:1',
    credentials: { accessKeyId: 'test', secretAccessKey: 'test' },
    maxAttempts: 1,
    logger: { trace() {}, debug() {}, info() {}, warn() {}, error() {} },
    ...(target.sdk.config ? await target.sdk.config() : {}),
    requestHandler: {
      handle: async (request: SdkHttpRequest) => {
        if (!exchange.current) throw new Error('no exchange in progress');
        return { response: toHttpResponse(await exchange.current(request)) };
      },
    },
  });
  return { mod, client };
}

/** Operation names the client has a Command for. */
export function clientOperations(mod: Module): string[] {
  return Object.keys(mod)
    .filter((k) => k.endsWith('Command') && k !== '$Command' && k !== 'Command' && typeof mod[k] === 'function')
    .map((k) => k.slice(0, -'Command'.length));
}

function opViews(mod: Module, operation: string): { input?: View; output?: View } {
  const schema = mod[`${operation}$`] as unknown[] | undefined;
  if (!Array.isArray(schema)) return {};
  const view = (ref: unknown) => {
    const v = typeof ref === 'function' ? (ref as () => unknown)() : ref;
    return v === 'unit' || v === undefined ? undefined : sdkView(ref);
  };
  return { input: view(schema[4]), output: view(schema[5]) };
}

/** Strips $metadata and reads streams, so the result compares with the generated output. */
async function clientOutput(target: Target, op: Operation, result: Record<string, unknown>): Promise<Record<string, unknown>> {
  const { $metadata: _m, ...rest } = result;
  if (op.output) {
    const shape = target.model.resolve(op.output);
    for (const [name, ref] of Object.entries(shape.members ?? {})) {
      if (target.model.resolve(ref).streaming && rest[name] !== undefined) rest[name] = await drain(rest[name]);
    }
  }
  return canonical(rest) as Record<string, unknown>;
}

export async function runSdkTarget(target: Target, opts: RunOptions): Promise<TargetReport> {
  const started = Date.now();
  const report = newReport(target.service, target.protocol, 'sdk-js-v3');
  const exchange: { current?: Exchange } = {};
  const { mod, client } = await sdkClientFor(target, exchange);
  const model = target.model;
  // The vendored model carries its own enum / min / max; the installed botocore's is only
  // consulted for model-data defects (classifyDefects below), and only when it is there.
  const inClient = new Set(clientOperations(mod));
  const inModel = model.operationNames;
  report.modelOperations = inModel.length;
  report.clientOperations = inClient.size;
  report.onlyInModel = inModel.filter((o) => !inClient.has(o)).sort();
  report.onlyInClient = [...inClient].filter((o) => !model.operation(o)).sort();
  const both = inModel.filter((o) => inClient.has(o)).sort();
  const operations = opts.pick ? opts.pick(both) : both;
  const timeout = opts.timeoutMs ?? 10_000;
  const skewSink = (op: string) => (path: string, what: string) => report.skew.set(`${op}.${path}`, what);
  let rid = 0;

  for (const operation of operations) {
    const op = model.operation(operation)!;
    const Command = mod[`${operation}Command`] as new (input: unknown) => unknown;
    const views = opViews(mod, operation);
    if (hostPrefixed(target, operation)) {
      report.unsupported.push({ operation, direction: 'request', why: HOST_PREFIX_WHY });
      continue;
    }
    const eventStream = isEventStreamOutput(target, op);
    if (eventStream) {
      report.unsupported.push({ operation, direction: 'response', why: 'event-stream output: cloudlet\'s codecs do not write event streams' });
    }
    for (let i = 0; i < opts.cases; i++) {
      const common = { seed: opts.seed, protocol: target.wire, carrier: 'sdk-js-v3' as const };
      let input: Sample;
      let output: Sample;
      try {
        input = sampleFor(model, operation, i, { ...common, direction: 'input' });
        output = sampleFor(model, operation, i, { ...common, direction: 'output' });
        output.value = fixOutput(model, operation, output.value);
      } catch (e) {
        report.failures.push({ direction: 'request', operation, label: `${opts.seed}:${operation}#${i}`, path: '(generator)', detail: errText(e) });
        continue;
      }
      const sent = fixInput(model, 'sdk-js-v3', (prune(input.value, views.input, skewSink(operation), '', false, undefined, modelBindings(model, op.input)) ?? {}) as Record<string, unknown>, operation);
      const ignored: string[] = [];
      const expectedOut = (prune(output.value, views.output, skewSink(operation), '', true, ignored, modelBindings(model, op.output)) ?? {}) as Record<string, unknown>;
      const requestId = `req-${++rid}`;
      let wire: WireRequest | undefined;
      let decoded: Record<string, unknown> | undefined;
      let resolved: string | undefined;
      let decodeError: unknown;
      let encodeError: unknown;
      exchange.current = async (req) => {
        wire = await toWireRequest(req);
        if (target.virtualHost) wire = { ...wire, path: toPathStyle(wire.host, wire.path).path };
        try {
          resolved = target.codec.resolveOperation(wire, model);
          decoded = target.codec.parseInput(wire, model, model.operation(resolved)!);
        } catch (e) {
          decodeError = e;
        }
        try {
          return target.codec.serializeOutput(model, op, output.value, { requestId });
        } catch (e) {
          encodeError = e;
          return target.codec.serializeError(model, new AwsError('InternalFailure', 'encode failed', 500), { requestId }, op);
        }
      };
      let result: Record<string, unknown> | undefined;
      let clientError: unknown;
      try {
        result = await withTimeout(client.send(new Command(canonical(sent))), timeout, operation);
      } catch (e) {
        clientError = e;
      }
      exchange.current = undefined;

      // Request direction.
      report.cases.request++;
      if (!wire) {
        report.failures.push({ direction: 'request', operation, label: input.label, path: '(client)', detail: `the client sent nothing: ${errText(clientError)}` });
      } else if (decodeError !== undefined) {
        report.failures.push({ direction: 'request', operation, label: input.label, path: '(codec)', detail: `parse failed: ${errText(decodeError)}` });
      } else if (resolved !== operation && wireAliases(model, operation, resolved!)) {
        aliased(report, operation, resolved!);
      } else if (resolved !== operation) {
        report.failures.push({ direction: 'request', operation, label: input.label, path: '(operation)', detail: `resolved as ${resolved}` });
      } else {
        const [want, got] = normaliseRequest(model, operation, 'sdk-js-v3', sent, decoded!, tokenMembers(views.input, Object.keys(decoded!)));
        const d = firstDifference(want, got);
        if (d) report.failures.push({ direction: 'request', operation, label: input.label, path: d.path, detail: describeDifference(d) });
        else report.covered.request.add(operation);
      }

      // Response direction.
      if (eventStream || !wire) continue;
      report.cases.response++;
      if (encodeError !== undefined) {
        report.failures.push({ direction: 'response', operation, label: output.label, path: '(codec)', detail: `serializeOutput threw: ${errText(encodeError)}` });
        continue;
      }
      if (clientError !== undefined || !result) {
        report.failures.push({ direction: 'response', operation, label: output.label, path: '(client)', detail: `the client could not read the response: ${errText(clientError)}` });
        continue;
      }
      const meta = result.$metadata as { requestId?: string; httpStatusCode?: number } | undefined;
      const read = await clientOutput(target, op, result);
      for (const p of ignored) removePath(read, p);
      const [want, got] = normaliseResponse(model, operation, 'sdk-js-v3', expectedOut, read, output.value);
      const d = firstDifference(want, got);
      if (d) report.failures.push({ direction: 'response', operation, label: output.label, path: d.path, detail: describeDifference(d) });
      else if (meta?.requestId !== requestId) {
        report.failures.push({ direction: 'response', operation, label: output.label, path: '$metadata.requestId', detail: `expected ${requestId}, got ${meta?.requestId}` });
      } else report.covered.response.add(operation);
    }
  }

  await runSdkErrors(target, mod, client, exchange, opts, report, both);
  classifyDefects(report, modelDefects(model, botocoreModel(target.botocore.name, model.metadata.apiVersion)));
  client.destroy?.();
  report.ms = Date.now() - started;
  return report;
}

interface ModeledError {
  name: string;
  /** Every modeled name with the same wire code: any of them is a right answer. */
  names: string[];
  code: string;
  status: number;
}

/** The client's modeled errors: its error schemas, with the wire code each one answers to. */
function modeledErrors(mod: Module, queryCodes: boolean): ModeledError[] {
  const out: ModeledError[] = [];
  for (const [k, v] of Object.entries(mod)) {
    if (!k.endsWith('$') || !Array.isArray(v) || v[0] !== -3) continue;
    const traits = v[3] as { awsQueryError?: [string, number]; httpError?: number; error?: string } | 0;
    if (!traits) continue; // the service's base exception
    const name = String(v[2]);
    const code = queryCodes && traits.awsQueryError ? traits.awsQueryError[0] : name;
    const status = traits.httpError ?? traits.awsQueryError?.[1] ?? (traits.error === 'server' ? 500 : 400);
    out.push({ name, code, status, names: [] });
  }
  // Some client models give two error shapes the same wire code (CloudWatch: ResourceNotFound
  // and DashboardNotFoundError are both 'ResourceNotFound'); the client can only pick one.
  for (const e of out) e.names = out.filter((x) => x.code === e.code).map((x) => x.name);
  return out;
}

async function runSdkErrors(
  target: Target, mod: Module, client: AnyClient, exchange: { current?: Exchange }, opts: RunOptions, report: TargetReport, operations: string[],
): Promise<void> {
  const model = target.model;
  // Errors are read the same way for every operation of a protocol; one with a body-carrying
  // method is used (a failed HEAD has no body, checked separately below).
  const operation = operations.find((o) => model.operation(o)!.http?.method !== 'HEAD' && !isEventStreamOutput(target, model.operation(o)!));
  if (!operation) return;
  const views = opViews(mod, operation);
  const input = sampleFor(model, operation, 1, { seed: opts.seed, direction: 'input', protocol: target.wire, carrier: 'sdk-js-v3' });
  const sent = (prune(input.value, views.input, () => {}) ?? {}) as Record<string, unknown>;
  // Query codes travel on every face of a query service (JSON and CBOR carry them in x-amzn-query-error).
  const queryCodes = target.wire === 'ec2' || target.entry.protocol === 'query';
  const errors: Array<ModeledError & { modeled: boolean }> = modeledErrors(mod, queryCodes).map((e) => ({ ...e, modeled: true }));
  const unmodeled = (code: string, status: number) => ({ name: code, names: [code], code, status, modeled: false });
  errors.push(unmodeled('CloudletUnmodeledError', 400), unmodeled('InternalFailure', 500), unmodeled('Throttling', 429));
  if (target.wire === 'ec2') errors.push(unmodeled('InvalidInstanceID.NotFound', 400));
  const Command = mod[`${operation}Command`] as new (input: unknown) => unknown;
  let n = 0;
  for (const e of errors) {
    report.cases.error++;
    const requestId = `err-${++n}`;
    const message = `cloudlet says <${e.code}> & "no" ${n}`;
    exchange.current = async () => target.codec.serializeError(model, new AwsError(e.code, message, e.status), { requestId }, model.operation(operation));
    let thrown: unknown;
    try {
      await client.send(new Command(canonical(sent)));
    } catch (err) {
      thrown = err;
    }
    exchange.current = undefined;
    const got = thrown as { name?: string; message?: string; $metadata?: { requestId?: string; httpStatusCode?: number }; $fault?: string } | undefined;
    const checks: Array<[string, unknown, unknown]> = [
      ['name', e.names.includes(String(got?.name)) ? got?.name : e.name, got?.name],
      ['message', message, got?.message],
      ['$metadata.requestId', requestId, got?.$metadata?.requestId],
      ['$metadata.httpStatusCode', e.status, got?.$metadata?.httpStatusCode],
      ['$fault', e.status >= 500 ? 'server' : 'client', got?.$fault],
    ];
    const bad = checks.find(([, want, have]) => want !== have);
    if (bad) {
      report.failures.push({ direction: 'error', operation, label: e.code, path: bad[0], detail: `expected ${JSON.stringify(bad[1])}, got ${JSON.stringify(bad[2])}${thrown ? '' : ' (no error thrown)'}` });
    }
  }

  // A failed HEAD: only the status travels; the SDK names the error after it.
  const head = operations.find((o) => model.operation(o)!.http?.method === 'HEAD');
  if (head) {
    report.cases.error++;
    const hv = opViews(mod, head);
    const hin = sampleFor(model, head, 1, { seed: opts.seed, direction: 'input', protocol: target.wire, carrier: 'sdk-js-v3' });
    const HeadCommand = mod[`${head}Command`] as new (input: unknown) => unknown;
    exchange.current = async () => target.codec.serializeError(model, new AwsError('NoSuchKey', 'gone', 404), { requestId: 'head-1' }, model.operation(head));
    let thrown: { name?: string; $metadata?: { requestId?: string; httpStatusCode?: number } } | undefined;
    try {
      await client.send(new HeadCommand(prune(hin.value, hv.input, () => {}) ?? {}));
    } catch (err) {
      thrown = err as typeof thrown;
    }
    exchange.current = undefined;
    if (thrown?.name !== 'NotFound' || thrown.$metadata?.requestId !== 'head-1' || thrown.$metadata?.httpStatusCode !== 404) {
      report.failures.push({ direction: 'error', operation: head, label: 'HEAD 404', path: 'name', detail: `expected NotFound/head-1/404, got ${thrown?.name}/${thrown?.$metadata?.requestId}/${thrown?.$metadata?.httpStatusCode}` });
    }
  }
}
