import { spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export interface FixedRequest {
  method: string;
  path: string;
  headers: Record<string, string>;
  body: string;
}

export interface LoadResult {
  rps: number;
  non2xx: number;
  errors: number;
}

export function haveWrk(): boolean {
  return spawnSync('wrk', ['--version'], { encoding: 'utf8' }).error === undefined;
}

const luaString = (s: string) => `"${s.replace(/\\/g, '\\\\').replace(/"/g, '\\"').replace(/\n/g, '\\n')}"`;

/**
 * Drives one fixed, pre-signed request over `connections` keep-alive connections for
 * `seconds` with wrk (one thread, so the load generator takes one core and the server the other).
 */
export function wrk(url: string, req: FixedRequest, connections: number, seconds: number): LoadResult {
  const dir = mkdtempSync(join(tmpdir(), 'cloudlet-bench-'));
  const script = join(dir, 'req.lua');
  const lines = [
    `wrk.method = ${luaString(req.method)}`,
    `wrk.path = ${luaString(req.path)}`,
    `wrk.body = ${luaString(req.body)}`,
    ...Object.entries(req.headers).filter(([k]) => k.toLowerCase() !== 'host').map(([k, v]) => `wrk.headers[${luaString(k)}] = ${luaString(v)}`),
  ];
  writeFileSync(script, `${lines.join('\n')}\n`);
  const r = spawnSync('wrk', ['-t1', `-c${connections}`, `-d${seconds}s`, '-s', script, url], { encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`wrk failed: ${r.stderr}`);
  const rps = Number(/Requests\/sec:\s+([\d.]+)/.exec(r.stdout)?.[1] ?? 0);
  const non2xx = Number(/Non-2xx or 3xx responses:\s+(\d+)/.exec(r.stdout)?.[1] ?? 0);
  const errs = /Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)/.exec(r.stdout);
  const errors = errs ? errs.slice(1).map(Number).reduce((a, b) => a + b, 0) : 0;
  return { rps, non2xx, errors };
}
