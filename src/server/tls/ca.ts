/**
 * cloudlet's local certificate authority and the server certificate it signs, kept in one
 * directory (DATA/tls, or an ephemeral server's temp dir):
 *
 *   ca.crt              the CA certificate: what clients trust (the directory holds nothing else,
 *                       so it is also a `--cert-dir` for skopeo and a docker certs.d folder's source)
 *   private/            0700
 *     ca.key            the CA's key, 0600; read only to sign a server certificate
 *     server.key        0600
 *     server.crt        signed by the CA, for the names in server.names
 *     server.names      one name a line, what server.crt was issued for
 *
 * Made once: a start whose files are valid reads three small files and parses one certificate;
 * the certificate code (x509.ts) loads only when something has to be issued. The CA lives 10
 * years, the server certificate 365 days; each is issued again when under 30 days remain (the
 * server certificate also when the names it must cover change), always with the same CA, so
 * trust is set up once. Times are the real clock (Date.now), not cloudlet's adjustable clock:
 * clients check certificates against theirs.
 */
import { createPrivateKey, generateKeyPairSync, X509Certificate, type KeyObject } from 'node:crypto';
import { chmodSync, existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { isIP } from 'node:net';
import { join } from 'node:path';
import { regionNames } from '../../core/regions.js';

const DAY = 86_400_000;
export const CA_DAYS = 3650;
export const SERVER_DAYS = 365;
export const RENEW_BEFORE_DAYS = 30;
const CA_NAME = { cn: 'cloudlet local CA', o: 'cloudlet' };

export interface CaPaths {
  dir: string;
  caCert: string;
  caKey: string;
  serverCert: string;
  serverKey: string;
  serverNames: string;
}

export function caPaths(dir: string): CaPaths {
  const priv = join(dir, 'private');
  return {
    dir, caCert: join(dir, 'ca.crt'), caKey: join(priv, 'ca.key'),
    serverCert: join(priv, 'server.crt'), serverKey: join(priv, 'server.key'), serverNames: join(priv, 'server.names'),
  };
}

/** A certificate and key to serve, PEM. */
export interface ServerPair {
  cert: string;
  key: string;
  /** When it should be issued again (ms since the epoch); Infinity for a user's own pair. */
  renewAtMs: number;
  /** Where the pair came from, for messages. */
  certFile: string;
}

/**
 * The names the server certificate covers: loopback, `*.localhost` (one label), virtual-hosted
 * S3 (`*.s3.localhost`, `*.s3.REGION.localhost`), ECR registries (`*.dkr.ecr.REGION.localhost`),
 * the bind address when it is a specific one, and the `--allowed-hosts` names (`.x` and `*.x`
 * both as `*.x`). Sorted and unique, so the list compares across restarts.
 */
export function serverNames(opts: { allowedHosts?: string[]; bindHost?: string } = {}): string[] {
  const out = new Set(['localhost', '127.0.0.1', '::1', '*.localhost', 's3.localhost', '*.s3.localhost']);
  for (const r of regionNames()) {
    out.add(`s3.${r}.localhost`);
    out.add(`*.s3.${r}.localhost`);
    out.add(`*.dkr.ecr.${r}.localhost`);
  }
  const add = (raw: string) => {
    let n = raw.trim().toLowerCase();
    if (n.startsWith('[')) n = n.slice(1, n.indexOf(']'));
    else if (!isIP(n) && n.includes(':')) n = n.slice(0, n.lastIndexOf(':'));
    if (n.endsWith('.')) n = n.slice(0, -1);
    if (n.startsWith('.')) n = `*${n}`;
    if (!n || n === '*' || n === '0.0.0.0' || n === '::') return;
    if (n.startsWith('*.') ? /^\*(\.[a-z0-9_-]+)+$/.test(n) : (isIP(n) !== 0 || /^[a-z0-9_-]+(\.[a-z0-9_-]+)*$/.test(n))) out.add(n);
  };
  if (opts.bindHost) add(opts.bindHost);
  for (const h of opts.allowedHosts ?? []) add(h);
  return [...out].sort();
}

function writePrivate(file: string, data: string): void {
  const tmp = `${file}.${process.pid}.tmp`;
  writeFileSync(tmp, data, { mode: 0o600 });
  chmodSync(tmp, 0o600);
  renameSync(tmp, file);
}

function writePublic(file: string, data: string): void {
  const tmp = `${file}.${process.pid}.tmp`;
  writeFileSync(tmp, data, { mode: 0o644 });
  renameSync(tmp, file);
}

function readIf(file: string): string | undefined {
  try {
    return readFileSync(file, 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw err;
  }
}

const newKey = () => generateKeyPairSync('ec', { namedCurve: 'P-256' });

function prepareDir(p: CaPaths): void {
  mkdirSync(p.dir, { recursive: true, mode: 0o755 });
  mkdirSync(join(p.dir, 'private'), { recursive: true, mode: 0o700 });
  chmodSync(join(p.dir, 'private'), 0o700);
}

export interface LoadedCa {
  cert: X509Certificate;
  pem: string;
  file: string;
}

/** The CA certificate if it exists and has more than the renewal window left. */
export function readCa(dir: string, nowMs = Date.now()): LoadedCa | undefined {
  const p = caPaths(dir);
  const pem = readIf(p.caCert);
  if (pem === undefined || !existsSync(p.caKey)) return undefined;
  let cert: X509Certificate;
  try {
    cert = new X509Certificate(pem);
  } catch {
    throw new Error(`${p.caCert} is not a PEM certificate (remove ${dir} to make a new local CA, then trust it again)`);
  }
  if (Date.parse(cert.validTo) - RENEW_BEFORE_DAYS * DAY <= nowMs) return undefined;
  return { cert, pem, file: p.caCert };
}

/** The CA, made when missing or near its end. `made` says a new one was made (trust must be set up again). */
export async function ensureCa(dir: string, nowMs = Date.now()): Promise<LoadedCa & { made: boolean }> {
  const found = readCa(dir, nowMs);
  if (found) return { ...found, made: false };
  const p = caPaths(dir);
  prepareDir(p);
  const { makeCertificate } = await import('./x509.js');
  const keys = newKey();
  const pem = makeCertificate({
    subject: CA_NAME, publicKey: keys.publicKey, issuer: { ...CA_NAME, ...keys },
    notBefore: new Date(nowMs - DAY), notAfter: new Date(nowMs + CA_DAYS * DAY), ca: true,
  });
  writePrivate(p.caKey, keys.privateKey.export({ type: 'pkcs8', format: 'pem' }) as string);
  writePublic(p.caCert, pem);
  return { cert: new X509Certificate(pem), pem, file: p.caCert, made: true };
}

/** The server pair on disk when it was issued by `ca` for exactly `names` and is not due for renewal. */
export function readServerPair(dir: string, ca: LoadedCa, names: string[], nowMs = Date.now()): ServerPair | undefined {
  const p = caPaths(dir);
  const [cert, key, listed] = [readIf(p.serverCert), readIf(p.serverKey), readIf(p.serverNames)];
  if (cert === undefined || key === undefined || listed === undefined) return undefined;
  if (listed.trim() !== names.join('\n')) return undefined;
  let x: X509Certificate;
  try {
    x = new X509Certificate(cert);
  } catch {
    return undefined;
  }
  const renewAtMs = Date.parse(x.validTo) - RENEW_BEFORE_DAYS * DAY;
  if (renewAtMs <= nowMs || !x.checkIssued(ca.cert) || !x.verify(ca.cert.publicKey)) return undefined;
  return { cert, key, renewAtMs, certFile: p.serverCert };
}

/** Issues a new server certificate for `names`, signed by the CA (which must exist). */
export async function issueServerPair(dir: string, ca: LoadedCa, names: string[], nowMs = Date.now()): Promise<ServerPair> {
  const p = caPaths(dir);
  prepareDir(p);
  const caKey: KeyObject = createPrivateKey(readFileSync(p.caKey));
  const { makeCertificate } = await import('./x509.js');
  const keys = newKey();
  // Whole seconds, as the certificate holds it.
  const notAfter = Math.floor(Math.min(nowMs + SERVER_DAYS * DAY, Date.parse(ca.cert.validTo)) / 1000) * 1000;
  const cert = makeCertificate({
    subject: { cn: 'localhost', o: 'cloudlet' }, publicKey: keys.publicKey,
    issuer: { ...CA_NAME, privateKey: caKey, publicKey: ca.cert.publicKey },
    notBefore: new Date(nowMs - DAY), notAfter: new Date(notAfter), ca: false, names,
  });
  const key = keys.privateKey.export({ type: 'pkcs8', format: 'pem' }) as string;
  writePrivate(p.serverKey, key);
  writePrivate(p.serverCert, cert);
  writePrivate(p.serverNames, `${names.join('\n')}\n`);
  return { cert, key, renewAtMs: notAfter - RENEW_BEFORE_DAYS * DAY, certFile: p.serverCert };
}

/** The CA and a server pair for `names`: read when valid, else made (once). */
export async function localPair(dir: string, names: string[], nowMs = Date.now()): Promise<ServerPair & { ca: LoadedCa & { made: boolean } }> {
  const ca = await ensureCa(dir, nowMs);
  const pair = (!ca.made && readServerPair(dir, ca, names, nowMs)) || await issueServerPair(dir, ca, names, nowMs);
  return { ...pair, ca };
}

/**
 * The user's own pair (`--tls-cert/--tls-key`): readable, PEM, in its validity period, and the
 * key the certificate's. Throws an Error naming the file at fault.
 */
export function readUserPair(certFile: string, keyFile: string, nowMs = Date.now()): ServerPair {
  const read = (file: string, flag: string): string => {
    try {
      return readFileSync(file, 'utf8');
    } catch (err) {
      throw new Error(`cannot read ${flag} ${file}: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`);
    }
  };
  const cert = read(certFile, '--tls-cert');
  const key = read(keyFile, '--tls-key');
  let x: X509Certificate;
  try {
    x = new X509Certificate(cert);
  } catch {
    throw new Error(`--tls-cert ${certFile} is not a PEM certificate`);
  }
  if (Date.parse(x.validTo) <= nowMs) throw new Error(`--tls-cert ${certFile} expired on ${new Date(x.validTo).toISOString()}`);
  if (Date.parse(x.validFrom) > nowMs) throw new Error(`--tls-cert ${certFile} is not valid before ${new Date(x.validFrom).toISOString()}`);
  let k: KeyObject;
  try {
    k = createPrivateKey(key);
  } catch {
    throw new Error(`--tls-key ${keyFile} is not a PEM private key (an encrypted key is not supported)`);
  }
  if (!x.checkPrivateKey(k)) throw new Error(`--tls-key ${keyFile} is not the key of --tls-cert ${certFile}`);
  return { cert, key, renewAtMs: Infinity, certFile };
}
