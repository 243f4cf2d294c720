/**
 * Signatures of the instance identity document, by a per-server RSA-2048 key with a
 * self-signed certificate (GET /_cloudlet/imds/certificate). AWS signs with its regional keys;
 * their public certificates cannot verify these, only this server's certificate can:
 *   signature  base64 RSA-SHA256 (PKCS#1 v1.5) of the document
 *   pkcs7      base64 DER CMS SignedData over the document (SHA-256, RSA), certificate included
 *   rsa2048    the same SignedData (AWS uses a separate RSA-2048 key for it; cloudlet has one key)
 * Base64 is wrapped at 64 columns without PEM armour, as EC2 prints them.
 */
import { createSign, generateKeyPair, randomBytes, type KeyObject } from 'node:crypto';

// ---------------------------------------------------------------- minimal DER

function len(n: number): Buffer {
  if (n < 0x80) return Buffer.from([n]);
  const bytes: number[] = [];
  for (let v = n; v > 0; v = Math.floor(v / 256)) bytes.unshift(v & 0xff);
  return Buffer.from([0x80 | bytes.length, ...bytes]);
}
const tlv = (tag: number, ...parts: Buffer[]): Buffer => {
  const body = Buffer.concat(parts);
  return Buffer.concat([Buffer.from([tag]), len(body.length), body]);
};
const seq = (...p: Buffer[]): Buffer => tlv(0x30, ...p);
const set = (...p: Buffer[]): Buffer => tlv(0x31, ...p);
/** A DER INTEGER (non-negative): minimal, so leading zero bytes go (a random serial may start with some) and one is added before a high bit. */
export const int = (v: Buffer | number): Buffer => {
  let b = typeof v === 'number' ? Buffer.from([v]) : v;
  let start = 0;
  while (start < b.length - 1 && b[start] === 0 && !(b[start + 1]! & 0x80)) start++;
  b = b.subarray(start);
  if (b[0]! & 0x80) b = Buffer.concat([Buffer.from([0]), b]);
  return tlv(0x02, b);
};
const NULL = Buffer.from([0x05, 0x00]);
const octets = (b: Buffer): Buffer => tlv(0x04, b);
const explicit = (n: number, ...p: Buffer[]): Buffer => tlv(0xa0 + n, ...p);
function oid(dotted: string): Buffer {
  const [a, b, ...rest] = dotted.split('.').map(Number);
  const out = [a! * 40 + b!];
  for (const n of rest) {
    const chunk: number[] = [n & 0x7f];
    for (let v = Math.floor(n / 128); v > 0; v = Math.floor(v / 128)) chunk.unshift(0x80 | (v & 0x7f));
    out.push(...chunk);
  }
  return tlv(0x06, Buffer.from(out));
}
const utcTime = (d: Date): Buffer => tlv(0x17, Buffer.from(`${d.toISOString().slice(2, 19).replace(/[-:T]/g, '')}Z`));

const OID = {
  sha256WithRSA: '1.2.840.113549.1.1.11', rsa: '1.2.840.113549.1.1.1', sha256: '2.16.840.1.101.3.4.2.1',
  data: '1.2.840.113549.1.7.1', signedData: '1.2.840.113549.1.7.2', cn: '2.5.4.3', o: '2.5.4.10',
};
const alg = (o: string): Buffer => seq(oid(o), NULL);
const name = (cn: string): Buffer => seq(
  set(seq(oid(OID.o), tlv(0x0c, Buffer.from('cloudlet')))),
  set(seq(oid(OID.cn), tlv(0x0c, Buffer.from(cn)))),
);

const wrap = (b64: string): string => b64.match(/.{1,64}/g)!.join('\n');

interface KeyMaterial { privateKey: KeyObject; certificate: Buffer; issuer: Buffer; serial: Buffer }

export class IdentitySigner {
  private material?: Promise<KeyMaterial>;

  private keys(): Promise<KeyMaterial> {
    this.material ??= new Promise<KeyMaterial>((ok, fail) => {
      generateKeyPair('rsa', { modulusLength: 2048 }, (err, publicKey, privateKey) => {
        if (err) return fail(err);
        const serial = randomBytes(8);
        serial[0]! &= 0x7f;
        const issuer = name('cloudlet instance identity (not an AWS key)');
        const now = Date.now();
        const tbs = seq(
          explicit(0, int(2)), int(serial), alg(OID.sha256WithRSA), issuer,
          seq(utcTime(new Date(now - 86_400_000)), utcTime(new Date(now + 10 * 365 * 86_400_000))),
          issuer, publicKey.export({ type: 'spki', format: 'der' }),
        );
        const sig = createSign('sha256').update(tbs).sign(privateKey);
        const certificate = seq(tbs, alg(OID.sha256WithRSA), tlv(0x03, Buffer.from([0]), sig));
        ok({ privateKey, certificate, issuer, serial });
      });
    });
    return this.material;
  }

  /** This server's signing certificate, PEM. */
  async certificatePem(): Promise<string> {
    const k = await this.keys();
    return `-----BEGIN CERTIFICATE-----\n${wrap(k.certificate.toString('base64'))}\n-----END CERTIFICATE-----\n`;
  }

  async sign(which: 'signature' | 'pkcs7' | 'rsa2048', document: string): Promise<string> {
    const k = await this.keys();
    const content = Buffer.from(document, 'utf8');
    const sig = createSign('sha256').update(content).sign(k.privateKey);
    if (which === 'signature') return wrap(sig.toString('base64'));
    const signerInfo = seq(int(1), seq(k.issuer, int(k.serial)), alg(OID.sha256), alg(OID.rsa), octets(sig));
    const signedData = seq(
      int(1), set(alg(OID.sha256)), seq(oid(OID.data), explicit(0, octets(content))),
      tlv(0xa0, k.certificate), set(signerInfo),
    );
    return wrap(seq(oid(OID.signedData), explicit(0, signedData)).toString('base64'));
  }
}
