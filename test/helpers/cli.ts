import { spawn } from 'node:child_process';
import { needTool, toolPath } from './tools.js';

export interface AwsCli {
  name: string;
  bin: string;
  /** Why the tests with this CLI are skipped (see tools.ts), or undefined when it is installed. */
  skip: string | undefined;
}

/** The AWS CLI v1 (pip's, on PATH) and v2 (Debian's awscli package at /usr/bin/aws), installed or not. */
export function awsClis(): AwsCli[] {
  return [
    { name: 'aws-cli v1', bin: toolPath('aws1') ?? 'aws', skip: needTool('aws1') },
    { name: 'aws-cli v2', bin: '/usr/bin/aws', skip: needTool('aws2') },
  ];
}

/** An environment that reaches only the test server, with no profile or pager from the machine. */
export function cliEnv(extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  return {
    PATH: process.env.PATH,
    HOME: process.env.HOME,
    AWS_ACCESS_KEY_ID: 'test',
    AWS_SECRET_ACCESS_KEY: 'test',
    AWS_DEFAULT_REGION: 'us-east-1',
    AWS_CONFIG_FILE: '/nonexistent/cloudlet-aws-config',
    AWS_SHARED_CREDENTIALS_FILE: '/nonexistent/cloudlet-aws-credentials',
    AWS_PAGER: '',
    AWS_EC2_METADATA_DISABLED: 'true',
    ...extra,
  };
}

export interface CliResult { status: number; stdout: string; stderr: string }

/** Asynchronous on purpose: the server under test often runs in this same process. */
export function runAws(bin: string, url: string, args: string[], env: Record<string, string> = {}): Promise<CliResult> {
  return new Promise((done) => {
    const child = spawn(bin, ['--endpoint-url', url, '--output', 'json', ...args], { env: cliEnv(env), timeout: 60_000 });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => { stdout += d.toString(); });
    child.stderr.on('data', (d: Buffer) => { stderr += d.toString(); });
    child.on('close', (code) => done({ status: code ?? -1, stdout, stderr }));
  });
}

export async function awsJson<T = any>(bin: string, url: string, args: string[], env: Record<string, string> = {}): Promise<T> {
  const r = await runAws(bin, url, args, env);
  if (r.status !== 0) throw new Error(`${bin} ${args.join(' ')} failed (${r.status}): ${r.stderr}`);
  return (r.stdout.trim() ? JSON.parse(r.stdout) : {}) as T;
}

