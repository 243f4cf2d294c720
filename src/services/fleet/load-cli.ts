/**
 * `cloudlet load`: the workload model from the command line, through the running server's admin
 * endpoint (/_cloudlet/load, load-admin.ts).
 *   cloudlet load set TARGET (--cpu V | --requests V | --egress V | --ramp A..B --over D | --daily --peak A --trough B [--peak-hour H])
 *   cloudlet load list [--json]
 *   cloudlet load clear TARGET
 * with [--endpoint URL] [--account ID] [--region R] (defaults as `cloudlet exec`: CLOUDLET_ACCOUNT
 * or 000000000000, AWS_REGION or us-east-1). TARGET: i-..., asg:GROUP, lb:NAME or a load
 * balancer ARN. A ramp or daily curve is CPU when its values are percentages, egress when they
 * are byte rates (MB/s) and requests when they are other rates (/s); `--cpu 10%..90% --over 1h`
 * says the same.
 */
import { parseArgs } from 'node:util';
import { isByteRate } from './load-curves.js';

export const LOAD_USAGE = `usage: cloudlet load set TARGET (--cpu 85% | --requests 1200/s | --egress 5MB/s | --ramp 10%..90% --over 1h
                            | --daily --peak 90% --trough 10% [--peak-hour 14])
       cloudlet load list [--json]
       cloudlet load clear TARGET
   [--endpoint URL] [--account ID] [--region R]; TARGET: i-..., asg:GROUP, lb:NAME or a load balancer ARN
`;

export interface CliOut { code: number; stdout: string; stderr: string }

const isRate = (s: string): boolean => s.includes('/');
/** Which curve a --ramp or --daily value sets. */
const kindOf = (s: string): 'egress' | 'requests' | 'cpu' => (isByteRate(s) ? 'egress' : isRate(s) ? 'requests' : 'cpu');

/** The JSON body of `load set` from its flags (exported for tests). */
export function setBody(target: string, v: Record<string, string | boolean | undefined>): Record<string, unknown> {
  const body: Record<string, unknown> = { target };
  const curve = (value: string) => (value.includes('..') ? { ramp: value, ...(v.over ? { over: v.over } : {}) } : value);
  if (typeof v.cpu === 'string') body.cpu = curve(v.cpu);
  if (typeof v.requests === 'string') body.requests = curve(v.requests);
  if (typeof v.egress === 'string') body.egress = curve(v.egress);
  if (typeof v.ramp === 'string') body[kindOf(v.ramp)] = { ramp: v.ramp, ...(v.over ? { over: v.over } : {}) };
  if (v.daily) {
    if (typeof v.peak !== 'string' || typeof v.trough !== 'string') throw new Error('--daily needs --peak and --trough');
    const c = { daily: { peak: v.peak, trough: v.trough, ...(typeof v['peak-hour'] === 'string' ? { peakHour: Number(v['peak-hour']) } : {}) } };
    body[kindOf(v.peak)] = c;
  }
  if (body.cpu === undefined && body.requests === undefined && body.egress === undefined) throw new Error('give --cpu, --requests, --egress, --ramp or --daily');
  return body;
}

function table(settings: Array<Record<string, unknown>>): string {
  if (!settings.length) return 'no load set (instances idle at 2-5% CPU)\n';
  const rows = [['TARGET', 'CPU', 'REQUESTS', 'EGRESS', 'SET'], ...settings.map((s) => [String(s.target), String(s.cpuText ?? '-'), String(s.requestsText ?? '-'), String(s.egressText ?? '-'), String(s.set)])];
  const w = rows[0]!.map((_, i) => Math.max(...rows.map((r) => r[i]!.length)));
  return rows.map((r) => r.map((c, i) => (i === r.length - 1 ? c : c.padEnd(w[i]!))).join('  ')).join('\n') + '\n';
}

export async function loadCommand(argv: string[], env: NodeJS.ProcessEnv = process.env): Promise<CliOut> {
  let parsed;
  try {
    parsed = parseArgs({
      args: argv, allowPositionals: true, strict: true,
      options: {
        endpoint: { type: 'string' }, account: { type: 'string' }, region: { type: 'string' }, json: { type: 'boolean' },
        cpu: { type: 'string' }, requests: { type: 'string' }, egress: { type: 'string' }, ramp: { type: 'string' }, over: { type: 'string' },
        daily: { type: 'boolean' }, peak: { type: 'string' }, trough: { type: 'string' }, 'peak-hour': { type: 'string' },
      },
    });
  } catch (e) {
    return { code: 2, stdout: '', stderr: `cloudlet load: ${(e as Error).message}\n${LOAD_USAGE}` };
  }
  const { values: v, positionals } = parsed;
  const [sub, target, extra] = positionals;
  const usage = (why: string): CliOut => ({ code: 2, stdout: '', stderr: `cloudlet load: ${why}\n${LOAD_USAGE}` });
  if (extra !== undefined) return usage(`unexpected argument ${extra}`);
  const url = (v.endpoint ?? env.CLOUDLET_ENDPOINT ?? 'http://127.0.0.1:4566').replace(/\/+$/, '');
  const account = v.account ?? env.CLOUDLET_ACCOUNT ?? '000000000000';
  const region = v.region ?? env.AWS_REGION ?? env.AWS_DEFAULT_REGION ?? 'us-east-1';
  if (!/^\d{12}$/.test(account)) return usage(`--account must be a 12-digit account ID, got ${account}`);
  let res: Response;
  if (sub === 'list' && target === undefined) {
    res = await fetch(`${url}/_cloudlet/load?${new URLSearchParams({ account, region })}`);
  } else if (sub === 'set' && target) {
    let body: Record<string, unknown>;
    try { body = setBody(target, v); } catch (e) { return usage((e as Error).message); }
    res = await fetch(`${url}/_cloudlet/load`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ account, region, ...body }) });
  } else if (sub === 'clear' && target) {
    res = await fetch(`${url}/_cloudlet/load`, { method: 'DELETE', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ account, region, target }) });
  } else {
    return usage(sub ? `bad use of ${sub}` : 'set, list or clear?');
  }
  const out = (await res.json()) as Record<string, unknown>;
  if (!res.ok) return { code: 1, stdout: '', stderr: `cloudlet load: ${String(out.message ?? `server answered ${res.status}`)}\n` };
  if (v.json) return { code: 0, stdout: `${JSON.stringify(out, null, 2)}\n`, stderr: '' };
  if (sub === 'list') return { code: 0, stdout: table(out.settings as Array<Record<string, unknown>>), stderr: '' };
  if (sub === 'set') {
    const s = out.setting as Record<string, unknown>;
    const parts = [s.cpuText ? `cpu ${s.cpuText}` : '', s.requestsText ? `requests ${s.requestsText}` : '', s.egressText ? `egress ${s.egressText}` : ''];
    return { code: 0, stdout: `${s.target}: ${parts.filter(Boolean).join(', ')}\n`, stderr: '' };
  }
  return { code: 0, stdout: out.cleared ? `${target}: load cleared\n` : `${target}: no load was set\n`, stderr: '' };
}
