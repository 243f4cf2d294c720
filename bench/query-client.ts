/**
 * What the EC2-style benches share: SigV4-signed query requests (root test credentials),
 * one call that fails loudly on a non-200, and a latency sampler (p50/p99 and rate) bounded in
 * time and samples. Loopback only.
 */
import { SignatureV4 } from '@smithy/signature-v4';
import { NodeSha256 } from '../test/helpers/sign.js';

const VERSIONS: Record<string, string> = { ec2: '2016-11-15', iam: '2010-05-08', sts: '2011-06-15', autoscaling: '2011-01-01', monitoring: '2010-08-01' };
const signers = new Map<string, SignatureV4>();

export interface SignedQuery { headers: Record<string, string>; body: string }

export async function signedQuery(url: string, params: Record<string, string>, service = 'ec2'): Promise<SignedQuery> {
  let signer = signers.get(service);
  if (!signer) {
    signer = new SignatureV4({ service, region: 'us-east-1', credentials: { accessKeyId: 'test', secretAccessKey: 'test' }, sha256: NodeSha256 as never });
    signers.set(service, signer);
  }
  const u = new URL(url);
  const body = new URLSearchParams({ Version: VERSIONS[service]!, ...params }).toString();
  const s = await signer.sign({
    method: 'POST', protocol: 'http:', hostname: u.hostname, port: Number(u.port), path: '/', query: {},
    headers: { host: u.host, 'content-type': 'application/x-www-form-urlencoded; charset=utf-8' }, body,
  });
  return { headers: s.headers as Record<string, string>, body };
}

/** One signed call; the response text, or an error naming the action and status. */
export async function callQuery(url: string, params: Record<string, string>, service = 'ec2'): Promise<string> {
  const r = await fetch(`${url}/`, { method: 'POST', ...(await signedQuery(url, params, service)) });
  const text = await r.text();
  if (r.status !== 200) throw new Error(`${params.Action}: ${r.status} ${text.slice(0, 300)}`);
  return text;
}

export interface Measure { p50: number; p99: number; rps: number; items: number }

/** Runs `once` for `seconds` (at most `maxSamples` times) after one warm-up call whose result is `items`. */
export async function timed(once: () => Promise<number>, seconds: number, maxSamples = 5_000): Promise<Measure> {
  const items = await once();
  const samples: number[] = [];
  const t0 = performance.now();
  while (performance.now() - t0 < seconds * 1000 && samples.length < maxSamples) {
    const s = performance.now();
    await once();
    samples.push(performance.now() - s);
  }
  const elapsed = (performance.now() - t0) / 1000;
  samples.sort((a, b) => a - b);
  const at = (q: number) => samples[Math.min(samples.length - 1, Math.floor(q * samples.length))]!;
  return { p50: at(0.5), p99: at(0.99), rps: samples.length / elapsed, items };
}

/** A signed request replayed as is, answering how many `<idTag>` elements the body holds. */
export async function replay(url: string, params: Record<string, string>, idTag: string): Promise<() => Promise<number>> {
  const req = await signedQuery(url, params);
  return async () => {
    const r = await fetch(`${url}/`, { method: 'POST', ...req });
    const text = await r.text();
    if (r.status !== 200) throw new Error(`${params.Action}: ${r.status} ${text.slice(0, 200)}`);
    return text.split(`<${idTag}>`).length - 1;
  };
}

/** One row per measure: cloudlet and moto side by side (items, p50, p99, rate) and the rate ratio. */
export function printMeasures(rows: Array<{ label: string; cloudlet?: Measure; moto?: Measure }>): void {
  const f = (x: number | undefined, d = 1) => (x === undefined ? '-' : x.toFixed(d));
  const cells = rows.map(({ label, cloudlet: a, moto: b }) => [label, `${f(a?.items, 0)}/${f(b?.items, 0)}`, f(a?.p50, 2), f(a?.p99, 2),
    f(a?.rps, 0), f(b?.p50, 1), f(b?.p99, 1), f(b?.rps, 1), a && b ? `${(a.rps / b.rps).toFixed(1)}x` : '-']);
  const head = ['measure', 'items c/m', 'c p50 ms', 'c p99 ms', 'c req/s', 'moto p50', 'moto p99', 'moto req/s', 'rate c/moto'];
  const widths = head.map((h, i) => Math.max(h.length, ...cells.map((r) => r[i]!.length)));
  const line = (c: string[]) => c.map((x, i) => (i === 0 ? x.padEnd(widths[i]!) : x.padStart(widths[i]!))).join('  ');
  console.log(line(head));
  console.log(widths.map((w) => '-'.repeat(w)).join('  '));
  for (const r of cells) console.log(line(r));
}
