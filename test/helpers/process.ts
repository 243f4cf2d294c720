import { spawn, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';

export const MAIN = fileURLToPath(new URL('../../src/main.ts', import.meta.url));

/**
 * The node arguments that run `cloudlet`: the suite's bundle of src/ when scripts/run-tests.mjs
 * built one (CLOUDLET_TEST_MAIN), else src/main.ts through tsx. The suite starts about 200 such
 * processes; tsx's loader costs each about 0.3 s of CPU that the bundle does not.
 */
export const CLOUDLET: string[] = process.env.CLOUDLET_TEST_MAIN ? [process.env.CLOUDLET_TEST_MAIN] : ['--import', 'tsx', MAIN];

export interface Running {
  child: ChildProcess;
  url: string;
  readyLine: string;
  stderr: () => string;
  exited: Promise<number | null>;
}

/** Runs `cloudlet start ...` as a real process and waits for its ready line. */
export async function startProcess(args: string[], env: Record<string, string> = {}): Promise<Running> {
  const child = spawn(process.execPath, [...CLOUDLET, 'start', ...args], {
    env: { ...process.env, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  let err = '';
  child.stderr!.on('data', (d: Buffer) => { err += d.toString(); });
  const exited = new Promise<number | null>((done) => child.on('exit', (code) => done(code)));
  const readyLine = await new Promise<string>((ok, fail) => {
    const timer = setTimeout(() => fail(new Error(`no ready line; stderr: ${err}`)), 20_000);
    child.stdout!.on('data', (d: Buffer) => {
      out += d.toString();
      const line = out.split('\n').find((l) => l.includes(' ready on '));
      if (line) { clearTimeout(timer); ok(line); }
    });
    exited.then((code) => { clearTimeout(timer); fail(new Error(`exited ${code} before ready: ${err}`)); });
  });
  const url = /ready on (http:\/\/\S+)/.exec(readyLine)![1]!;
  return { child, url, readyLine, stderr: () => err, exited };
}

/** Runs a client-side cloudlet command (clock, ...) to completion. */
export function runCli(args: string[], env: Record<string, string> = {}): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((done) => {
    const child = spawn(process.execPath, [...CLOUDLET, ...args], { env: { ...process.env, ...env } });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => { stdout += d.toString(); });
    child.stderr.on('data', (d: Buffer) => { stderr += d.toString(); });
    child.on('exit', (code) => done({ code, stdout, stderr }));
  });
}
