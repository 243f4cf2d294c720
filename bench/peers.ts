import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { fileURLToPath } from 'node:url';

export interface Peer {
  name: string;
  child: ChildProcess;
  url: string;
  /** Milliseconds from spawn to the first answered request. */
  startMs: number;
}

export async function freePort(): Promise<number> {
  return new Promise((ok, fail) => {
    const s = createServer();
    s.once('error', fail);
    s.listen(0, '127.0.0.1', () => {
      const port = (s.address() as { port: number }).port;
      s.close(() => ok(port));
    });
  });
}

// The bundle `npm start` runs (scripts/bundle.mjs), built by `npm run build`.
const MAIN = fileURLToPath(new URL('../dist/bundle/main.js', import.meta.url));

const BARE = `require('node:http').createServer((q, s) => { q.resume(); q.on('end', () => {
  s.writeHead(200, { 'content-type': 'text/xml' });
  s.end('<GetCallerIdentityResponse><GetCallerIdentityResult><Account>000000000000</Account></GetCallerIdentityResult></GetCallerIdentityResponse>');
}); }).listen(Number(process.argv[1]), '127.0.0.1');`;

export function spawnCommand(name: string, port: number, extra: string[] = []): ChildProcess {
  switch (name) {
    case 'cloudlet':
      return spawn(process.execPath, [MAIN, 'start', '--ephemeral', '--port', String(port), '--log-level', 'error', ...extra], { stdio: 'ignore' });
    case 'cloudlet --iam off':
      return spawn(process.execPath, [MAIN, 'start', '--ephemeral', '--port', String(port), '--log-level', 'error', '--iam', 'off', ...extra], { stdio: 'ignore' });
    case 'moto':
      return spawn('moto_server', ['-H', '127.0.0.1', '-p', String(port)], { stdio: 'ignore' });
    case 'bare':
      return spawn(process.execPath, ['-e', BARE, String(port)], { stdio: 'ignore' });
    default:
      throw new Error(`unknown peer ${name}`);
  }
}

/** Starts a peer and polls `probe` until it answers 200; the elapsed time is the start time. */
export async function startPeer(name: string, probe: (url: string) => Promise<boolean>, extra: string[] = []): Promise<Peer> {
  const port = await freePort();
  const url = `http://127.0.0.1:${port}`;
  const t0 = performance.now();
  const child = spawnCommand(name, port, extra);
  const deadline = t0 + 30_000;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`${name} exited with ${child.exitCode}`);
    try {
      if (await probe(url)) break;
    } catch {
      // not listening yet
    }
    if (performance.now() > deadline) throw new Error(`${name} did not answer within 30 s`);
    await new Promise((r) => setTimeout(r, 2));
  }
  return { name, child, url, startMs: performance.now() - t0 };
}

/** Resident memory of a process and its descendants (moto runs behind a pyenv shim). */
export function rssMb(pid: number): number {
  const pids = [pid, ...descendants(pid)];
  let kb = 0;
  for (const p of pids) {
    try {
      const m = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${p}/status`, 'utf8'));
      if (m) kb += Number(m[1]);
    } catch {
      // exited meanwhile
    }
  }
  return kb / 1024;
}

function descendants(pid: number): number[] {
  const r = spawnSync('pgrep', ['-P', String(pid)], { encoding: 'utf8' });
  const kids = r.stdout.split('\n').filter(Boolean).map(Number);
  return kids.flatMap((k) => [k, ...descendants(k)]);
}

export async function stopPeer(p: Peer): Promise<void> {
  const all = [...descendants(p.child.pid!), p.child.pid!];
  for (const pid of all) {
    try { process.kill(pid, 'SIGTERM'); } catch { /* gone */ }
  }
  await new Promise((r) => setTimeout(r, 200));
  for (const pid of all) {
    try { process.kill(pid, 'SIGKILL'); } catch { /* gone */ }
  }
}
