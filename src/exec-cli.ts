/**
 * `cloudlet exec INSTANCE_ID [--endpoint URL] [--account A] [--region R] -- COMMAND...`: runs
 * COMMAND as if on the instance, as far as AWS credentials go. It asks the running server to
 * open the instance's metadata service (POST /_cloudlet/imds/open), then runs COMMAND with no
 * credentials of its own (no keys, no profile, empty config and credentials files), so every
 * SDK's default chain falls through to IMDS and gets the instance profile role's credentials:
 *   AWS_EC2_METADATA_SERVICE_ENDPOINT=http://127.0.0.1:PORT/ (the instance's own listener; the
 *     JS SDK v3 keeps only host:port of it, botocore and the CLI take the whole URL)
 *   AWS_EC2_METADATA_SERVICE_ENDPOINT_MODE=IPv4, AWS_ENDPOINT_URL=the server, AWS_REGION and
 *   AWS_DEFAULT_REGION=the instance's region.
 * Exit code: COMMAND's; 1 when the instance is unknown or not running; 2 for bad usage.
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export const EXEC_USAGE = 'usage: cloudlet exec INSTANCE_ID [--endpoint URL] [--account ID] [--region R] -- COMMAND [ARGS...]\n';

/** Variables that would hand COMMAND credentials other than the instance's. */
const CREDENTIAL_VARS = [
  'AWS_ACCESS_KEY_ID', 'AWS_SECRET_ACCESS_KEY', 'AWS_SESSION_TOKEN', 'AWS_SECURITY_TOKEN', 'AWS_PROFILE', 'AWS_DEFAULT_PROFILE',
  'AWS_CREDENTIAL_EXPIRATION', 'AWS_EC2_METADATA_DISABLED', 'AWS_CONTAINER_CREDENTIALS_RELATIVE_URI', 'AWS_CONTAINER_CREDENTIALS_FULL_URI',
  'AWS_CONTAINER_AUTHORIZATION_TOKEN', 'AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE', 'AWS_WEB_IDENTITY_TOKEN_FILE', 'AWS_ROLE_ARN', 'AWS_ROLE_SESSION_NAME',
  'AWS_EC2_METADATA_SERVICE_ENDPOINT', 'AWS_EC2_METADATA_SERVICE_ENDPOINT_MODE', 'AWS_ENDPOINT_URL',
];

export interface ExecPlan { instanceId: string; url: string; account: string; region: string; command: string[] }

/** Parses the arguments after `exec`; options only before `--` (everything after it is COMMAND's). */
export function parseExecArgs(argv: string[], env: NodeJS.ProcessEnv = process.env): ExecPlan | string {
  const dash = argv.indexOf('--');
  if (dash < 0) return 'put the command after --';
  const mine = argv.slice(0, dash);
  const command = argv.slice(dash + 1);
  if (command.length === 0) return 'no command after --';
  let url = env.CLOUDLET_ENDPOINT ?? 'http://127.0.0.1:4566';
  let account = env.CLOUDLET_ACCOUNT ?? '000000000000';
  let region = env.AWS_REGION ?? env.AWS_DEFAULT_REGION ?? 'us-east-1';
  let instanceId: string | undefined;
  for (let i = 0; i < mine.length; i++) {
    const a = mine[i]!;
    const value = (): string => {
      const v = mine[++i];
      if (v === undefined) throw new Error(`${a} needs a value`);
      return v;
    };
    try {
      if (a === '--endpoint') url = value();
      else if (a === '--account') account = value();
      else if (a === '--region') region = value();
      else if (a.startsWith('--')) return `unknown option ${a}`;
      else if (instanceId === undefined) instanceId = a;
      else return `unexpected argument ${a}`;
    } catch (err) {
      return (err as Error).message;
    }
  }
  if (!instanceId) return 'name the instance (i-...)';
  if (!/^\d{12}$/.test(account)) return `--account must be a 12-digit account ID, got ${account}`;
  return { instanceId, url: url.replace(/\/+$/, ''), account, region, command };
}

/** The environment COMMAND runs with (see the file comment). */
export function execEnv(base: NodeJS.ProcessEnv, o: { imds: string; url: string; region: string; configDir: string }): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { ...base };
  for (const k of CREDENTIAL_VARS) delete env[k];
  const credentials = join(o.configDir, 'credentials');
  const config = join(o.configDir, 'config');
  writeFileSync(credentials, '');
  writeFileSync(config, '');
  return {
    ...env,
    AWS_SHARED_CREDENTIALS_FILE: credentials,
    AWS_CONFIG_FILE: config,
    AWS_EC2_METADATA_SERVICE_ENDPOINT: `${o.imds.replace(/\/+$/, '')}/`,
    AWS_EC2_METADATA_SERVICE_ENDPOINT_MODE: 'IPv4',
    AWS_ENDPOINT_URL: o.url,
    AWS_REGION: o.region,
    AWS_DEFAULT_REGION: o.region,
  };
}

/** Runs the command; resolves to the exit code for the process. */
export async function execCommand(argv: string[]): Promise<number> {
  const plan = parseExecArgs(argv);
  if (typeof plan === 'string') {
    process.stderr.write(`cloudlet exec: ${plan}\n${EXEC_USAGE}`);
    return 2;
  }
  const res = await fetch(`${plan.url}/_cloudlet/imds/open`, {
    method: 'POST', headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ account: plan.account, region: plan.region, instanceId: plan.instanceId }),
  });
  const answer = (await res.json().catch(() => ({}))) as { endpoint?: string; state?: string; error?: string; message?: string };
  if (!res.ok || !answer.endpoint) {
    process.stderr.write(`cloudlet exec: ${answer.error ?? res.status}: ${answer.message ?? 'the server refused to open the instance metadata service'} (account ${plan.account}, region ${plan.region})\n`);
    return 1;
  }
  if (answer.state !== 'running') {
    process.stderr.write(`cloudlet exec: instance ${plan.instanceId} is ${answer.state}; commands run only on a running instance (start it with aws ec2 start-instances)\n`);
    return 1;
  }
  const configDir = mkdtempSync(join(tmpdir(), 'cloudlet-exec-'));
  try {
    const env = execEnv(process.env, { imds: answer.endpoint, url: plan.url, region: plan.region, configDir });
    return await new Promise<number>((done) => {
      const child = spawn(plan.command[0]!, plan.command.slice(1), { env, stdio: 'inherit' });
      child.on('error', (err) => {
        process.stderr.write(`cloudlet exec: cannot run ${plan.command[0]}: ${err.message}\n`);
        done(127);
      });
      child.on('exit', (code, signal) => done(code ?? (signal ? 128 + signalNumber(signal) : 1)));
    });
  } finally {
    rmSync(configDir, { recursive: true, force: true });
  }
}

function signalNumber(s: NodeJS.Signals): number {
  return ({ SIGHUP: 1, SIGINT: 2, SIGQUIT: 3, SIGKILL: 9, SIGTERM: 15 } as Record<string, number>)[s] ?? 1;
}
