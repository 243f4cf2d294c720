/**
 * Key material in the formats EC2 speaks, with node:crypto only: OpenSSH public lines and
 * blobs, the private keys CreateKeyPair hands out (PKCS#1 PEM for RSA, the OpenSSH format for
 * ED25519, PuTTY .ppk version 2 for either), the public formats ImportKeyPair accepts
 * (OpenSSH, RFC 4716 SSH2, PEM / base64 DER SubjectPublicKeyInfo, PKCS#1), EC2's three
 * fingerprint recipes, and the Windows password encryption GetPasswordData answers with.
 * Pure: no store, no clock.
 */
import {
  constants, createHash, createHmac, createPublicKey, generateKeyPairSync, publicEncrypt, randomBytes, type KeyObject,
} from 'node:crypto';

export type KeyType = 'rsa' | 'ed25519';

const ALG: Record<KeyType, string> = { rsa: 'ssh-rsa', ed25519: 'ssh-ed25519' };

// --- SSH wire encoding (RFC 4251 section 5) ---

const u32 = (n: number): Buffer => { const b = Buffer.alloc(4); b.writeUInt32BE(n); return b; };
const sshString = (b: Buffer | string): Buffer => { const v = typeof b === 'string' ? Buffer.from(b) : b; return Buffer.concat([u32(v.length), v]); };

/** A positive integer given as unsigned big-endian bytes, as an SSH mpint (minimal, a 0 byte before a set high bit). */
function mpint(unsigned: Buffer): Buffer {
  let i = 0;
  while (i < unsigned.length && unsigned[i] === 0) i++;
  let v = unsigned.subarray(i);
  if (v.length && v[0]! & 0x80) v = Buffer.concat([Buffer.from([0]), v]);
  return sshString(v);
}

/** Reads SSH strings from a blob; undefined when it runs short. */
class Reader {
  private pos = 0;
  constructor(private readonly b: Buffer) {}
  string(): Buffer | undefined {
    if (this.pos + 4 > this.b.length) return undefined;
    const n = this.b.readUInt32BE(this.pos);
    if (this.pos + 4 + n > this.b.length) return undefined;
    const v = this.b.subarray(this.pos + 4, this.pos + 4 + n);
    this.pos += 4 + n;
    return v;
  }
  get done(): boolean { return this.pos === this.b.length; }
}

const b64u = (s: string | undefined): Buffer => Buffer.from(s ?? '', 'base64url');

// --- public keys ---

/** The OpenSSH public key blob (what an authorized_keys line carries in base64). */
export function publicBlob(key: KeyObject): Buffer {
  const jwk = key.export({ format: 'jwk' });
  if (jwk.kty === 'RSA') return Buffer.concat([sshString(ALG.rsa), mpint(b64u(jwk.e)), mpint(b64u(jwk.n))]);
  if (jwk.kty === 'OKP' && jwk.crv === 'Ed25519') return Buffer.concat([sshString(ALG.ed25519), sshString(b64u(jwk.x))]);
  throw new Error(`no OpenSSH form for a ${jwk.kty} key`);
}

export const openSshLine = (key: KeyObject, comment: string): string =>
  `${ALG[keyTypeOf(key)]} ${publicBlob(key).toString('base64')}${comment ? ` ${comment}` : ''}`;

export function keyTypeOf(key: KeyObject): KeyType {
  if (key.asymmetricKeyType === 'rsa') return 'rsa';
  if (key.asymmetricKeyType === 'ed25519') return 'ed25519';
  throw new Error(`unsupported key type ${key.asymmetricKeyType}`);
}

const unsignedB64u = (mp: Buffer): string => {
  let i = 0;
  while (i < mp.length - 1 && mp[i] === 0) i++;
  return mp.subarray(i).toString('base64url');
};

/** The public key an OpenSSH blob holds; undefined when it is not a well-formed ssh-rsa / ssh-ed25519 blob. */
export function keyFromBlob(blob: Buffer): KeyObject | undefined {
  const r = new Reader(blob);
  const alg = r.string()?.toString('latin1');
  try {
    if (alg === ALG.rsa) {
      const e = r.string();
      const n = r.string();
      if (!e || !n || !r.done || (n[0]! & 0x80) || (e[0]! & 0x80)) return undefined;
      return createPublicKey({ key: { kty: 'RSA', e: unsignedB64u(e), n: unsignedB64u(n) }, format: 'jwk' });
    }
    if (alg === ALG.ed25519) {
      const x = r.string();
      if (!x || x.length !== 32 || !r.done) return undefined;
      return createPublicKey({ key: { kty: 'OKP', crv: 'Ed25519', x: x.toString('base64url') }, format: 'jwk' });
    }
  } catch {
    return undefined;
  }
  return undefined;
}

/** The key of an OpenSSH public line ("ssh-rsa AAAA... comment"). */
export function keyFromOpenSshLine(line: string): KeyObject | undefined {
  const m = /^\s*(ssh-rsa|ssh-ed25519)\s+([A-Za-z0-9+/]+={0,2})(?:\s+.*)?$/s.exec(line);
  if (!m) return undefined;
  const key = keyFromBlob(Buffer.from(m[2]!, 'base64'));
  return key && ALG[keyTypeOf(key)] === m[1] ? key : undefined;
}

export const rsaBits = (key: KeyObject): number => key.asymmetricKeyDetails?.modulusLength ?? 0;

export interface ParsedPublicKey {
  key: KeyObject;
  type: KeyType;
  /** The comment the material carried (OpenSSH or RFC 4716), if any. */
  comment?: string;
}

const spki = (der: Buffer, type: 'spki' | 'pkcs1'): KeyObject | undefined => {
  try { return createPublicKey({ key: der, format: 'der', type }); } catch { return undefined; }
};

const isBase64 = (s: string): boolean => s.length > 0 && /^[A-Za-z0-9+/]+={0,2}$/.test(s);

/**
 * The public key in ImportKeyPair's PublicKeyMaterial (the bytes after the wire's base64):
 * an OpenSSH line, an RFC 4716 "---- BEGIN SSH2 PUBLIC KEY ----" block, a PEM public key
 * (SubjectPublicKeyInfo or PKCS#1), or DER SubjectPublicKeyInfo, raw or in base64.
 * Undefined for anything else, and for key types EC2 does not take.
 */
export function parsePublicKeyMaterial(bytes: Buffer): ParsedPublicKey | undefined {
  const text = bytes.toString('latin1').replace(/\r\n?/g, '\n').trim();
  let key: KeyObject | undefined;
  let comment: string | undefined;
  if (/^ssh-(rsa|ed25519)\s/.test(text)) {
    key = keyFromOpenSshLine(text);
    comment = /^\S+\s+\S+\s+(.+)$/s.exec(text)?.[1]?.trim();
  } else if (text.startsWith('---- BEGIN SSH2 PUBLIC KEY ----')) {
    ({ key, comment } = parseRfc4716(text));
  } else if (/^-----BEGIN (RSA )?PUBLIC KEY-----/.test(text)) {
    try { key = createPublicKey({ key: text, format: 'pem' }); } catch { key = undefined; }
  } else if (isBase64(text.replace(/\s+/g, ''))) {
    key = spki(Buffer.from(text.replace(/\s+/g, ''), 'base64'), 'spki');
  } else if (bytes[0] === 0x30) {
    key = spki(bytes, 'spki');
  }
  if (!key || (key.asymmetricKeyType !== 'rsa' && key.asymmetricKeyType !== 'ed25519')) return undefined;
  return { key, type: keyTypeOf(key), ...(comment ? { comment } : {}) };
}

/** RFC 4716: header lines (a trailing backslash continues one), then the base64 of the blob. */
function parseRfc4716(text: string): { key?: KeyObject; comment?: string } {
  const lines = text.split('\n').map((l) => l.trim());
  const end = lines.indexOf('---- END SSH2 PUBLIC KEY ----');
  if (end < 0) return {};
  const body = lines.slice(1, end);
  let comment: string | undefined;
  let i = 0;
  while (i < body.length && body[i]!.includes(':')) {
    let header = body[i]!;
    while (header.endsWith('\\') && i + 1 < body.length) header = header.slice(0, -1) + body[++i]!;
    const m = /^([^:]+):\s*(.*)$/.exec(header);
    if (m && m[1]!.toLowerCase() === 'comment') comment = m[2]!.replace(/^"(.*)"$/, '$1');
    i++;
  }
  const b64 = body.slice(i).join('');
  if (!isBase64(b64)) return {};
  const key = keyFromBlob(Buffer.from(b64, 'base64'));
  return key ? { key, ...(comment ? { comment } : {}) } : {};
}

// --- fingerprints (EC2 user guide, "Verify the fingerprint of your key pair") ---

const colonHex = (b: Buffer): string => b.toString('hex').replace(/(..)(?!$)/g, '$1:');

/** A key pair EC2 created: RSA = SHA-1 of the PKCS#8 DER private key; ED25519 = base64 SHA-256 of the public blob. */
export function createdFingerprint(priv: KeyObject): string {
  if (keyTypeOf(priv) === 'ed25519') return ed25519Fingerprint(createPublicKey(priv));
  return colonHex(createHash('sha1').update(priv.export({ type: 'pkcs8', format: 'der' })).digest());
}

/** An imported key: RSA = MD5 of the DER SubjectPublicKeyInfo; ED25519 as created. */
export function importedFingerprint(pub: KeyObject): string {
  if (keyTypeOf(pub) === 'ed25519') return ed25519Fingerprint(pub);
  return colonHex(createHash('md5').update(pub.export({ type: 'spki', format: 'der' })).digest());
}

/** ssh-keygen's SHA256 fingerprint, without its "SHA256:" and with the base64 '=' padding EC2 keeps. */
export const ed25519Fingerprint = (pub: KeyObject): string => createHash('sha256').update(publicBlob(pub)).digest('base64');

// --- private keys as CreateKeyPair returns them ---

export function generateKey(type: KeyType): KeyObject {
  return type === 'rsa'
    ? generateKeyPairSync('rsa', { modulusLength: 2048, publicExponent: 0x10001 }).privateKey
    : generateKeyPairSync('ed25519').privateKey;
}

const wrap = (b64: string, width: number): string[] => b64.match(new RegExp(`.{1,${width}}`, 'g')) ?? [];

/**
 * The private key as PEM: PKCS#1 "RSA PRIVATE KEY" for RSA, the OpenSSH format for ED25519,
 * as EC2 hands them out. The OpenSSH form ends with a newline (ssh-keygen refuses it
 * without one); the PKCS#1 form has none, as in EC2's examples (OpenSSL reads it either way).
 */
export function privatePem(priv: KeyObject, comment: string): string {
  if (keyTypeOf(priv) === 'rsa') return (priv.export({ type: 'pkcs1', format: 'pem' }) as string).trimEnd();
  return ['-----BEGIN OPENSSH PRIVATE KEY-----', ...wrap(openSshPrivateBlob(priv, comment).toString('base64'), 70),
    '-----END OPENSSH PRIVATE KEY-----', ''].join('\n');
}

/** OpenSSH's "openssh-key-v1" container (PROTOCOL.key), unencrypted, one ED25519 key. */
function openSshPrivateBlob(priv: KeyObject, comment: string): Buffer {
  const jwk = priv.export({ format: 'jwk' });
  const seed = b64u(jwk.d);
  const pub = b64u(jwk.x);
  const check = randomBytes(4);
  let section = Buffer.concat([check, check, sshString(ALG.ed25519), sshString(pub), sshString(Buffer.concat([seed, pub])), sshString(comment)]);
  // Padded with 1, 2, 3 ... to the cipher block size (8 for "none").
  const pad = (8 - (section.length % 8)) % 8;
  section = Buffer.concat([section, Buffer.from(Array.from({ length: pad }, (_, i) => i + 1))]);
  return Buffer.concat([
    Buffer.from('openssh-key-v1\0', 'latin1'), sshString('none'), sshString('none'), sshString(''), u32(1),
    sshString(publicBlob(createPublicKey(priv))), sshString(section),
  ]);
}

/** The private half of a PuTTY key: RSA d, p, q, iqmp (q^-1 mod p) as mpints; EdDSA the 32-byte seed. */
function ppkPrivateBlob(priv: KeyObject): Buffer {
  const jwk = priv.export({ format: 'jwk' });
  if (jwk.kty === 'RSA') return Buffer.concat([mpint(b64u(jwk.d)), mpint(b64u(jwk.p)), mpint(b64u(jwk.q)), mpint(b64u(jwk.qi))]);
  // PuTTY (0.78) writes the seed as a fixed-length 32-byte little-endian integer: a trailing
  // zero byte stays (seen in ~1 in 256 keys puttygen makes).
  return sshString(b64u(jwk.d));
}

/** The MAC a PuTTY version 2 key file carries: HMAC-SHA-1 keyed by SHA-1("putty-private-key-file-mac-key" + passphrase). */
export function ppkV2Mac(alg: string, encryption: string, comment: string, pub: Buffer, priv: Buffer, passphrase = ''): string {
  const key = createHash('sha1').update('putty-private-key-file-mac-key').update(passphrase).digest();
  return createHmac('sha1', key)
    .update(Buffer.concat([sshString(alg), sshString(encryption), sshString(comment), sshString(pub), sshString(priv)]))
    .digest('hex');
}

/** A PuTTY-User-Key-File-2 (unencrypted): what EC2's "ppk" key format gives. */
export function privatePpk(priv: KeyObject, comment: string): string {
  const alg = ALG[keyTypeOf(priv)];
  const pub = publicBlob(createPublicKey(priv));
  const secret = ppkPrivateBlob(priv);
  const pubLines = wrap(pub.toString('base64'), 64);
  const privLines = wrap(secret.toString('base64'), 64);
  return [
    `PuTTY-User-Key-File-2: ${alg}`, 'Encryption: none', `Comment: ${comment}`,
    `Public-Lines: ${pubLines.length}`, ...pubLines,
    `Private-Lines: ${privLines.length}`, ...privLines,
    `Private-MAC: ${ppkV2Mac(alg, 'none', comment, pub, secret)}`, '',
  ].join('\n');
}

// --- Windows passwords ---

/**
 * A password encrypted for the key pair's owner as GetPasswordData returns it: RSA with
 * PKCS#1 v1.5 padding under the public key, base64 (decrypt with the private key, e.g.
 * `openssl pkeyutl -decrypt -inkey key.pem`).
 */
export function encryptWindowsPassword(publicKeyOpenSsh: string, password: string): string {
  const key = keyFromOpenSshLine(publicKeyOpenSsh);
  if (!key || keyTypeOf(key) !== 'rsa') throw new Error('Windows passwords need an RSA public key');
  return publicEncrypt({ key, padding: constants.RSA_PKCS1_PADDING }, Buffer.from(password, 'utf8')).toString('base64');
}
