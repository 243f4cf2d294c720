/**
 * HTTPS on the shared port: GetCallerIdentity over HTTPS with keep-alive beside plain HTTP
 * (with TLS on, and with --tls off: the sniffer must cost plain HTTP nothing), and start-up
 * with TLS on vs off — to the first plain answer, to the first HTTPS answer (an ephemeral
 * server makes its CA then), and with a data directory whose CA is already on disk.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { request } from 'node:https';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { wrk, type FixedRequest } from './load.js';
import { freePort } from './peers.js';

const MAIN = fileURLToPath(new URL('../dist/bundle/main.js', import.meta.url));
const SECONDS = Number(process.env.BENCH_SECONDS ?? 3);
const ROUNDS = Number(process.env.BENCH_START_ROUNDS ?? 7);
const ROUNDS_LOAD = Number(process.env.BENCH_TLS_ROUNDS ?? 5);

type Probe = (url: string) => Promise<boolean>;
type Signer = (url: string) => Promise<FixedRequest>;

/**
 * CPU seconds (user + system) a process has used so far, from /proc (Linux; undefined elsewhere).
 * Throughput at c=1 swings by several per cent between runs on a shared machine; the server's
 * CPU per request is the steadier measure of what the sniffer costs a plain request.
 */
function cpuSeconds(pid: number | undefined): number | undefined {
  if (pid === undefined) return undefined;
  try {
    const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' ');
    return (Number(fields[11]) + Number(fields[12])) / 100; // utime + stime, in clock ticks of 1/100 s
  } catch {
    return undefined;
  }
}

const median = (xs: number[]): number => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2]! : (s[s.length / 2 - 1]! + s[s.length / 2]!) / 2;
};

/** A signed request sent over HTTPS; the bench does not check the certificate (wrk does not either). */
function httpsSend(url: string, req: FixedRequest): Promise<boolean> {
  return new Promise((ok, fail) => {
    const r = request(`${url}${req.path}`, { method: req.method, headers: req.headers, rejectUnauthorized: false }, (res) => {
      res.resume();
      res.on('end', () => ok(res.statusCode === 200));
    });
    r.on('error', fail);
    r.end(req.body);
  });
}

interface Started { child: ChildProcess; url: string; ms: number }

async function start(args: string[], probe: Probe, scheme: 'http' | 'https'): Promise<Started> {
  const port = await freePort();
  const url = `${scheme}://127.0.0.1:${port}`;
  const t0 = performance.now();
  const child = spawn(process.execPath, [MAIN, 'start', '--port', String(port), '--log-level', 'error', ...args], { stdio: 'ignore' });
  const deadline = t0 + 30_000;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`cloudlet ${args.join(' ')} exited with ${child.exitCode}`);
    try {
      if (await probe(url)) break;
    } catch {
      // not listening yet
    }
    if (performance.now() > deadline) throw new Error('cloudlet did not answer within 30 s');
    await new Promise((r) => setTimeout(r, 2));
  }
  return { child, url, ms: performance.now() - t0 };
}

function stop(s: Started): Promise<void> {
  return new Promise((done) => {
    if (s.child.exitCode !== null) return done();
    s.child.once('exit', () => done());
    s.child.kill('SIGTERM');
  });
}

export async function tlsBench(sign: Signer, plainProbe: Probe): Promise<void> {
  const httpsProbe: Probe = async (url) => httpsSend(url, await sign(url));
  // Throughput: a server with TLS on (both schemes) and one with it off, up together; the cells
  // alternate over three rounds and the medians are kept, so machine load hits each alike.
  const off = await start(['--ephemeral', '--tls', 'off'], plainProbe, 'http');
  const on = await start(['--ephemeral', '--tls', 'on'], plainProbe, 'http');
  const onHttps = on.url.replace('http:', 'https:');
  const cells: Array<[string, string, Started]> = [['http, --tls off', off.url, off], ['http, --tls on', on.url, on], ['https keep-alive', onHttps, on]];
  const rows: Array<[string, number, number, number | undefined]> = [];
  try {
    if (!(await httpsProbe(onHttps))) throw new Error('cloudlet --tls on does not answer over https');
    const got = cells.map(() => ({ 1: [] as number[], 32: [] as number[], cpu: [] as number[] }));
    for (let round = 0; round < ROUNDS_LOAD; round++) {
      for (const c of [1, 32] as const) {
        // The order turns each round, so no cell always runs after the same neighbour.
        const order = [...cells.entries()];
        if (round % 2) order.reverse();
        for (const [k, [label, url, server]] of order) {
          const req = await sign(url);
          const cpu0 = cpuSeconds(server.child.pid);
          const r = wrk(url, req, c, SECONDS);
          const cpu1 = cpuSeconds(server.child.pid);
          if (r.non2xx || r.errors) console.error(`warning: tls ${label} c=${c}: ${r.non2xx} non-2xx, ${r.errors} socket errors`);
          got[k]![c].push(r.rps);
          if (c === 1 && cpu0 !== undefined && cpu1 !== undefined && r.rps > 0) got[k]!.cpu.push(((cpu1 - cpu0) * 1e6) / (r.rps * SECONDS));
        }
      }
    }
    for (const [k, [label]] of cells.entries()) rows.push([label, median(got[k]![1]), median(got[k]![32]), got[k]!.cpu.length ? median(got[k]!.cpu) : undefined]);
  } finally {
    await stop(off);
    await stop(on);
  }
  console.log(`\nTLS: GetCallerIdentity (req/s and the server's CPU µs per request at c=1, medians of ${ROUNDS_LOAD} alternating rounds), wrk -t1, ${SECONDS}s per cell, keep-alive`);
  for (const [label, c1, c32, cpu] of rows) {
    console.log(`  ${label.padEnd(18)} c=1 ${c1.toFixed(0).padStart(6)}   c=32 ${c32.toFixed(0).padStart(6)}   CPU/req c=1 ${cpu === undefined ? 'n/a' : `${cpu.toFixed(1)} µs`}`);
  }

  // Start-up, alternating the variants each round so machine load hits them alike.
  const data = mkdtempSync(join(tmpdir(), 'cloudlet-bench-tls-'));
  const variants: Array<[string, string[], Probe, 'http' | 'https']> = [
    ['ephemeral --tls off, first http answer', ['--ephemeral', '--tls', 'off'], plainProbe, 'http'],
    ['ephemeral --tls on, first http answer', ['--ephemeral', '--tls', 'on'], plainProbe, 'http'],
    ['ephemeral --tls on, first https answer (CA made)', ['--ephemeral', '--tls', 'on'], httpsProbe, 'https'],
    ['data dir --tls off, first http answer', ['--data-dir', data, '--tls', 'off'], plainProbe, 'http'],
    ['data dir --tls on (CA on disk), first https answer', ['--data-dir', data, '--tls', 'on'], httpsProbe, 'https'],
  ];
  const times = variants.map(() => [] as number[]);
  try {
    // The data directory's CA is made once, before the rounds (as on a user's first start).
    await stop(await start(['--data-dir', data, '--tls', 'on'], httpsProbe, 'https'));
    for (let i = 0; i < ROUNDS; i++) {
      for (const [k, [, args, probe, scheme]] of variants.entries()) {
        const s = await start(args, probe, scheme);
        times[k]!.push(s.ms);
        await stop(s);
      }
    }
  } finally {
    rmSync(data, { recursive: true, force: true });
  }
  console.log(`\nTLS start-up to first answer (${ROUNDS} rounds, medians):`);
  const med = times.map(median);
  for (const [k, [label]] of variants.entries()) console.log(`  ${label.padEnd(52)} ${med[k]!.toFixed(0).padStart(5)} ms  [${times[k]!.map((x) => x.toFixed(0)).join(' ')}]`);
  const [off1, on1, off32, on32] = [rows[0]![1], rows[1]![1], rows[0]![2], rows[1]![2]];
  const [offCpu, onCpu] = [rows[0]![3], rows[1]![3]];
  const targets: Array<[string, boolean]> = [
    ...(offCpu !== undefined && onCpu !== undefined
      ? [['plain HTTP with TLS on: server CPU per request within 5% of --tls off (c=1)', onCpu <= 1.05 * offCpu] as [string, boolean]]
      : []),
    ['plain HTTP with TLS on >= 95% of --tls off (c=1)', on1 >= 0.95 * off1],
    ['plain HTTP with TLS on >= 95% of --tls off (c=32)', on32 >= 0.95 * off32],
    ['start-up to the first plain answer with TLS on within 10% of --tls off', med[1]! <= 1.1 * med[0]!],
    ['data dir start-up with TLS on (first https answer) within 10% of --tls off (first http answer)', med[4]! <= 1.1 * med[3]!],
  ];
  console.log('  targets:');
  for (const [t, ok] of targets) console.log(`    ${ok ? 'met   ' : 'MISSED'} ${t}`);
}
