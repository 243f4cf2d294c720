/**
 * `cloudlet ca`: where the local CA is and, per client, the one line that trusts it;
 * `cloudlet ca install` / `uninstall`: the system trust store (Debian's update-ca-certificates),
 * root only, reversible. Works on the data directory (the CA is made there if it is not yet).
 */
import { spawnSync } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, rmSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { ensureCa } from './ca.js';

export interface CaCommandOptions {
  dataDir: string;
  /** The host and port clients use, for the docker lines. */
  port: number;
  /** For tests: the system store's directory and its update command. */
  systemDir?: string;
  update?: string[];
  isRoot?: boolean;
}

const SYSTEM_DIR = '/usr/local/share/ca-certificates';

/** The file name in the system store: one per CA, so installing two data directories' CAs keeps both. */
const systemName = (fingerprint: string): string => `cloudlet-${fingerprint.replace(/:/g, '').slice(0, 16).toLowerCase()}.crt`;

export async function caCommand(sub: string | undefined, o: CaCommandOptions): Promise<{ out: string; code: number }> {
  const dir = join(resolve(o.dataDir), 'tls');
  const ca = await ensureCa(dir);
  if (sub === undefined) return { out: describe(ca.file, dir, o.port, ca.made, ca.cert.validTo, ca.cert.fingerprint256), code: 0 };
  const isRoot = o.isRoot ?? process.getuid?.() === 0;
  if (!isRoot) return { out: `cloudlet ca ${sub} changes the system's trust store: run it as root (sudo cloudlet ca ${sub})`, code: 1 };
  const target = join(o.systemDir ?? SYSTEM_DIR, systemName(ca.cert.fingerprint256));
  const update = o.update ?? ['update-ca-certificates'];
  if (sub === 'install') {
    mkdirSync(dirname(target), { recursive: true });
    copyFileSync(ca.file, target);
  } else if (existsSync(target)) rmSync(target);
  else return { out: `not installed: ${target} does not exist`, code: 0 };
  const r = spawnSync(update[0]!, update.slice(1), { encoding: 'utf8' });
  if (r.error || r.status !== 0) {
    return { out: `${update.join(' ')} failed: ${r.error?.message ?? r.stderr.trim()}` + (sub === 'install' ? ` (${target} is in place; run it by hand)` : ''), code: 1 };
  }
  return {
    out: sub === 'install'
      ? `installed ${ca.file} as ${target} and ran ${update.join(' ')}; undo with: sudo cloudlet ca uninstall`
      : `removed ${target} and ran ${update.join(' ')}`,
    code: 0,
  };
}

function describe(file: string, dir: string, port: number, made: boolean, validTo: string, fingerprint: string): string {
  const docker = (host: string) => `sudo mkdir -p /etc/docker/certs.d/${host} && sudo cp ${file} /etc/docker/certs.d/${host}/ca.crt`;
  const rows: Array<[string, string]> = [
    ['AWS CLI v1/v2, boto3', `export AWS_CA_BUNDLE=${file}`],
    ['JS SDK v3 (Node.js)', `export NODE_EXTRA_CA_CERTS=${file}`],
    ['Terraform, Go tools', `export AWS_CA_BUNDLE=${file}   (or SSL_CERT_FILE=${file})`],
    ['docker', docker(`localhost:${port}`)],
    ['', `(a directory per registry host: ${docker(`ACCOUNT.dkr.ecr.REGION.localhost:${port}`).split(' && ')[0]} ...)`],
    ['skopeo', `--cert-dir ${dir}   (copy: --src-cert-dir / --dest-cert-dir ${dir})`],
    ['curl', `curl --cacert ${file} https://localhost:${port}/`],
    ['system store', 'sudo cloudlet ca install   (undo: sudo cloudlet ca uninstall)'],
  ];
  const w = Math.max(...rows.map(([k]) => k.length));
  return [
    `cloudlet local certificate authority: ${file}${made ? ' (made now)' : ''}`,
    `  valid until ${new Date(validTo).toISOString()}; SHA-256 ${fingerprint}`,
    `  its key stays in ${join(dir, 'private')} (0600); servers with this data directory present certificates it signs`,
    '',
    'Trust it, per client:',
    ...rows.map(([k, v]) => `  ${k.padEnd(w)}  ${v}`),
  ].join('\n');
}
