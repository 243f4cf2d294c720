/** What a conformance run found, per (service, protocol, client). */
export type Client = 'sdk-js-v3' | 'botocore';
export type Direction = 'request' | 'response' | 'error';

export interface Failure {
  direction: Direction;
  operation: string;
  /** Replays the case (seed:operation:direction#index), or the error code for error cases. */
  label: string;
  /** First differing member path, or '(request)' / '(client)' when there was nothing to compare. */
  path: string;
  detail: string;
}

export interface TargetReport {
  service: string;
  protocol: string;
  client: Client;
  /** Operations in cloudlet's model / in the client / exercised. */
  modelOperations: number;
  clientOperations: number;
  onlyInModel: string[];
  onlyInClient: string[];
  covered: { request: Set<string>; response: Set<string> };
  cases: Record<Direction, number>;
  failures: Failure[];
  /** Failures explained by a defect in cloudlet's model data (see defects.ts), not by a codec. */
  modelDefects: Failure[];
  /** Operation-level gaps that are reported, not failed (e.g. event-stream output). */
  unsupported: Array<{ operation: string; direction: Direction; why: string }>;
  /** Generated members the client's own model does not have: path -> count. */
  skew: Map<string, string>;
  notes: string[];
  ms: number;
}

export function newReport(service: string, protocol: string, client: Client): TargetReport {
  return {
    service, protocol, client, modelOperations: 0, clientOperations: 0, onlyInModel: [], onlyInClient: [],
    covered: { request: new Set(), response: new Set() }, cases: { request: 0, response: 0, error: 0 },
    failures: [], modelDefects: [], unsupported: [], skew: new Map(), notes: [], ms: 0,
  };
}

const plural = (n: number, w: string) => `${n} ${w}${n === 1 ? '' : 's'}`;

export function formatReport(reports: TargetReport[], opts: { maxFailures?: number; verbose?: boolean } = {}): string {
  const lines: string[] = [];
  const max = opts.maxFailures ?? 20;
  const pad = (s: string, n: number) => s.padEnd(n);
  // As wide as the longest service name (compute-optimizer), so the columns stay apart.
  const sw = Math.max(12, ...reports.map((r) => r.service.length + 2));
  lines.push(`${pad('service', sw)}${pad('protocol', 16)}${pad('client', 11)}${pad('ops(model/client/both)', 23)}${pad('req ops', 10)}${pad('res ops', 10)}${pad('cases req/res/err', 19)}failures (+model-data)`);
  for (const r of reports) {
    const both = r.modelOperations - r.onlyInModel.length;
    lines.push(
      `${pad(r.service, sw)}${pad(r.protocol, 16)}${pad(r.client, 11)}${pad(`${r.modelOperations}/${r.clientOperations}/${both}`, 23)}`
      + `${pad(`${r.covered.request.size}/${both}`, 10)}${pad(`${r.covered.response.size}/${both}`, 10)}`
      + `${pad(`${r.cases.request}/${r.cases.response}/${r.cases.error}`, 19)}${r.failures.length}${r.modelDefects.length ? ` (+${r.modelDefects.length})` : ''}`,
    );
  }
  for (const r of reports) {
    const head = `${r.service} ${r.protocol} ${r.client}`;
    if (r.onlyInModel.length) lines.push(`  ${head}: in cloudlet's model, not in the client (${r.onlyInModel.length}): ${r.onlyInModel.join(', ')}`);
    if (r.onlyInClient.length) lines.push(`  ${head}: in the client, not in cloudlet's model (${r.onlyInClient.length}): ${r.onlyInClient.join(', ')}`);
    for (const u of r.unsupported) lines.push(`  ${head}: unsupported ${u.direction} ${u.operation}: ${u.why}`);
    for (const n of r.notes) lines.push(`  ${head}: note: ${n}`);
    if (r.skew.size) {
      const shown = [...r.skew.entries()].slice(0, opts.verbose ? Infinity : 8).map(([p, w]) => `${p} (${w})`);
      lines.push(`  ${head}: model skew, ${plural(r.skew.size, 'member path')} pruned: ${shown.join('; ')}${r.skew.size > shown.length ? '; ...' : ''}`);
    }
    r.modelDefects.slice(0, max).forEach((f) => lines.push(`  MODEL-DATA ${head} ${f.direction} ${f.operation} [${f.label}] at ${f.path}: ${f.detail}`));
    r.failures.slice(0, max).forEach((f) => lines.push(`  FAIL ${head} ${f.direction} ${f.operation} [${f.label}] at ${f.path}: ${f.detail}`));
    if (r.failures.length > max) lines.push(`  ... ${r.failures.length - max} more failures for ${head}`);
  }
  const total = reports.reduce((a, r) => a + r.cases.request + r.cases.response + r.cases.error, 0);
  const failed = reports.reduce((a, r) => a + r.failures.length, 0);
  const defects = reports.reduce((a, r) => a + r.modelDefects.length, 0);
  lines.push(`total: ${total} cases, ${failed} failures${defects ? `, ${defects} more explained by model-data defects` : ''}`);
  return lines.join('\n');
}
