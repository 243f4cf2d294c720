import { spawn } from 'node:child_process';
import { copyFileSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { toolPath } from './tools.js';

/** The hashicorp/aws provider is on every machine as a local filesystem mirror, not from the registry. */
export const TF_MIRROR = '/opt/tf-plugins';

/** A fresh working directory holding test/fixtures/FIXTURE/main.tf and a CLI config that installs from the mirror (offline init). */
export function terraformDir(fixture: string, prefix: string): string {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  copyFileSync(new URL(`../fixtures/${fixture}/main.tf`, import.meta.url), join(dir, 'main.tf'));
  writeFileSync(join(dir, 'cli.tfrc'), `provider_installation {\n  filesystem_mirror {\n    path = "${TF_MIRROR}"\n  }\n}\n`);
  return dir;
}

/** Runs terraform in dir with nothing from the user's environment but PATH (no stray credentials or config). */
export function terraform(dir: string, args: string[]): Promise<{ status: number; out: string }> {
  return new Promise((done) => {
    const child = spawn(toolPath('terraform') ?? 'terraform', [...args, '-no-color', '-input=false'], {
      cwd: dir,
      env: { PATH: process.env.PATH, HOME: dir, TF_CLI_CONFIG_FILE: join(dir, 'cli.tfrc'), TF_IN_AUTOMATION: '1', CHECKPOINT_DISABLE: '1' },
      timeout: 300_000,
    });
    let out = '';
    child.stdout.on('data', (d: Buffer) => { out += d.toString(); });
    child.stderr.on('data', (d: Buffer) => { out += d.toString(); });
    child.on('close', (code) => done({ status: code ?? -1, out }));
  });
}
