import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { copyFileSync, existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before } from 'node:test';
import type { Cloudlet } from '../../src/server/server.js';
import { withHosts } from './hosts.js';
import { startTestServer } from './server.js';
import { toolPath } from './tools.js';

/** The hashicorp/aws provider is on every machine as a local filesystem mirror, not from the registry. */
export const TF_MIRROR = '/opt/tf-plugins';

/**
 * A fresh working directory holding test/fixtures/FIXTURE/main.tf, the shared provider block
 * (test/fixtures/terraform-provider.tf) and a CLI config that installs from the mirror (offline init).
 */
export function terraformDir(fixture: string, prefix: string): string {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  copyFileSync(new URL(`../fixtures/${fixture}/main.tf`, import.meta.url), join(dir, 'main.tf'));
  copyFileSync(new URL('../fixtures/terraform-provider.tf', import.meta.url), join(dir, 'provider.tf'));
  writeFileSync(join(dir, 'cli.tfrc'), `provider_installation {\n  filesystem_mirror {\n    path = "${TF_MIRROR}"\n  }\n}\n`);
  return dir;
}

/** The provider binary in the mirror. */
export function providerBinary(): string | undefined {
  const base = join(TF_MIRROR, 'registry.terraform.io/hashicorp/aws');
  try {
    for (const v of readdirSync(base).sort().reverse()) {
      const d = join(base, v, 'linux_amd64');
      const f = readdirSync(d).find((n) => n.startsWith('terraform-provider-aws'));
      if (f) return join(d, f);
    }
  } catch { /* no mirror: terraform starts the provider itself */ }
  return undefined;
}

/**
 * Starts the AWS provider once for a working directory, in the provider's debug mode, so every
 * terraform command there reattaches to it (TF_REATTACH_PROVIDERS) instead of starting the
 * 700 MB binary two or three times per command: the largest CPU cost of the Terraform tests.
 * (In debug mode the provider's HTTP client refuses a custom CA bundle: HTTPS tests let
 * terraform start the provider with AWS_CA_BUNDLE instead.)
 */
export async function startProvider(dir: string, env: Record<string, string> = {}, hosts: string[] = []): Promise<{ stop(): void }> {
  const bin = providerBinary();
  if (!bin) return { stop: () => undefined };
  // Names the provider must resolve that the machine does not (Go reads /etc/hosts itself).
  const { cmd, args } = hosts.length ? withHosts(dir, hosts.map((h) => `127.0.0.1 ${h}`), bin, ['-debug']) : { cmd: bin, args: ['-debug'] };
  const child = spawn(cmd, args, { cwd: dir, env: { PATH: process.env.PATH, HOME: dir, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
  const reattach = await new Promise<string | undefined>((ok) => {
    let out = '';
    const timer = setTimeout(() => ok(undefined), 60_000);
    child.stdout.on('data', (d: Buffer) => {
      out += d.toString();
      const m = /TF_REATTACH_PROVIDERS='([^']+)'/.exec(out);
      if (m) { clearTimeout(timer); ok(m[1]); }
    });
    child.stderr.on('data', () => undefined);
    child.on('exit', () => { clearTimeout(timer); ok(undefined); });
  });
  if (reattach) writeFileSync(join(dir, 'reattach.json'), reattach);
  else child.kill('SIGKILL');
  return { stop: () => { child.kill('SIGTERM'); } };
}

/**
 * What points the provider at cloudlet: every service at its one URL. An environment variable,
 * not an endpoints { } block in terraform-provider.tf: with that block in the configuration each
 * validation of the provider's configuration (two to four per command) costs about 2.5 s of CPU,
 * which was most of a Terraform file's CPU; without it one costs a few milliseconds.
 */
export function endpointEnv(url: string): Record<string, string> {
  return { AWS_ENDPOINT_URL: url };
}

/**
 * Runs terraform in dir with nothing from the user's environment but PATH (no stray credentials
 * or config) and env, attached to the dir's provider when startProvider started one (a provider
 * terraform starts itself inherits env, so it carries endpointEnv too).
 */
export function terraform(dir: string, args: string[], env: Record<string, string> = {}): Promise<{ status: number; out: string }> {
  const reattach = existsSync(join(dir, 'reattach.json')) ? { TF_REATTACH_PROVIDERS: readFileSync(join(dir, 'reattach.json'), 'utf8') } : {};
  return new Promise((done) => {
    const child = spawn(toolPath('terraform') ?? 'terraform', [...args, '-no-color', '-input=false'], {
      cwd: dir,
      env: { PATH: process.env.PATH, HOME: dir, TF_CLI_CONFIG_FILE: join(dir, 'cli.tfrc'), TF_IN_AUTOMATION: '1', CHECKPOINT_DISABLE: '1', ...reattach, ...env },
      timeout: 300_000,
    });
    let out = '';
    child.stdout.on('data', (d: Buffer) => { out += d.toString(); });
    child.stderr.on('data', (d: Buffer) => { out += d.toString(); });
    child.on('close', (code) => done({ status: code ?? -1, out }));
  });
}

/**
 * A cloudlet and a working directory of FIXTURE for one describe block; closed and removed after
 * it. `opts.env` adds variables the provider must have when it starts, `opts.hosts` names it must
 * resolve to the loopback address (S3 Control: AWS_ENDPOINT_URL_S3_CONTROL=http://localhost:PORT,
 * which the provider prefixes with the account ID, and ACCOUNT.localhost).
 */
export function terraformFixture(
  fixture: string, opts: { env?: (cl: Cloudlet) => Record<string, string>; hosts?: string[] } = {},
): { readonly cl: Cloudlet; readonly dir: string; readonly env: Record<string, string> } {
  const ctx = { env: {} } as { cl: Cloudlet; dir: string; env: Record<string, string>; provider?: { stop(): void } };
  before(async () => {
    ctx.cl = await startTestServer();
    ctx.dir = terraformDir(fixture, `cloudlet-${fixture}-`);
    ctx.env = { ...endpointEnv(ctx.cl.url), ...opts.env?.(ctx.cl) };
    ctx.provider = await startProvider(ctx.dir, ctx.env, opts.hosts);
  });
  after(async () => {
    ctx.provider?.stop();
    await ctx.cl?.close();
    if (ctx.dir) rmSync(ctx.dir, { recursive: true, force: true });
  });
  return ctx;
}

/** init and apply; both must succeed and create exactly `added` resources. The apply output. */
export async function terraformApply(t: { dir: string; env: Record<string, string> }, added: number): Promise<string> {
  const init = await terraform(t.dir, ['init']);
  assert.equal(init.status, 0, init.out);
  const apply = await terraform(t.dir, ['apply', '-auto-approve'], t.env);
  assert.equal(apply.status, 0, apply.out);
  assert.match(apply.out, new RegExp(`Apply complete! Resources: ${added} added`));
  return apply.out;
}

/** A second plan must find nothing to change (-detailed-exitcode 0). */
export async function terraformPlanIsClean(t: { dir: string; env: Record<string, string> }): Promise<void> {
  const plan = await terraform(t.dir, ['plan', '-detailed-exitcode'], t.env);
  assert.equal(plan.status, 0, `a second plan must show no changes:\n${plan.out}`);
}

/** destroy must succeed; the output. */
export async function terraformDestroy(t: { dir: string; env: Record<string, string> }): Promise<string> {
  const destroy = await terraform(t.dir, ['destroy', '-auto-approve'], t.env);
  assert.equal(destroy.status, 0, destroy.out);
  return destroy.out;
}
