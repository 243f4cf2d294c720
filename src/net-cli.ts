/**
 * `cloudlet net why SRC DST --port N [--protocol tcp|udp] [--region R] [--account A] [--json]`:
 * asks the running server's reachability engine (POST /_cloudlet/net/why) whether SRC reaches
 * DST and prints the path hop by hop with the rule that decided. SRC/DST: an instance ID,
 * interface ID, gateway ID, IP address, or `internet`. Exit code 0 when the path is found,
 * 1 when it is not, 2 for bad usage or a request the server refused (so scripts can tell a
 * closed path from a broken question).
 */
import { parseArgs } from 'node:util';
import { renderAnalysis, type AnalysisResult } from './network/index.js';

export const NET_USAGE = `usage: cloudlet net why SRC DST --port N [--protocol tcp|udp] [--region R] [--account ID] [--json] [--endpoint URL]
  SRC, DST: an instance ID (i-...), network interface ID (eni-...), gateway ID (igw-, nat-), an IP address, or internet
`;

export interface NetCliResult { code: number; stdout: string; stderr: string }

/** Runs the command against the server at `url`; returns what to print and the exit code. */
export async function netCommand(argv: string[], url: string): Promise<NetCliResult> {
  const usage = (msg: string): NetCliResult => ({ code: 2, stdout: '', stderr: `cloudlet net: ${msg}\n${NET_USAGE}` });
  let parsed;
  try {
    parsed = parseArgs({
      args: argv, allowPositionals: true, strict: true,
      options: { port: { type: 'string' }, protocol: { type: 'string' }, region: { type: 'string' }, account: { type: 'string' }, json: { type: 'boolean' } },
    });
  } catch (err) {
    return usage((err as Error).message);
  }
  const { values, positionals } = parsed;
  const [sub, source, destination, extra] = positionals;
  if (sub !== 'why' || !source || !destination || extra !== undefined) return usage('expected: net why SRC DST');
  if (values.port === undefined) return usage('--port is required');
  if (!/^\d{1,5}$/.test(values.port) || Number(values.port) > 65535) return usage(`--port must be 0-65535, got ${values.port}`);
  const protocol = values.protocol ?? 'tcp';
  if (protocol !== 'tcp' && protocol !== 'udp') return usage(`--protocol must be tcp or udp, got ${protocol}`);
  const body = {
    source, destination, port: Number(values.port), protocol,
    region: values.region ?? process.env.AWS_REGION ?? process.env.AWS_DEFAULT_REGION, account: values.account,
  };
  const res = await fetch(`${url}/_cloudlet/net/why`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
  const answer = (await res.json()) as AnalysisResult & { error?: string; message?: string };
  if (!res.ok) return { code: 2, stdout: '', stderr: `cloudlet net: ${answer.error ?? res.status}: ${answer.message ?? 'the server refused the question'}\n` };
  const text = values.json ? JSON.stringify(answer, null, 2) : `${source} -> ${destination} ${protocol}/${values.port}: ${renderAnalysis(answer)}`;
  return { code: answer.NetworkPathFound ? 0 : 1, stdout: `${text}\n`, stderr: '' };
}
