/**
 * SNS message signatures. Each state has one signing pair, made on first use and kept as a
 * row: an RSA key and a certificate for it (built by the local CA's certificate code,
 * src/server/tls/x509.ts, issued by a throwaway P-256 key: subscribers check the message
 * signature with the certificate's public key, not its chain). Served at
 * /_cloudlet/sns/SimpleNotificationService-<id>.pem.
 *
 * SignatureVersion 1 signs with SHA1withRSA, 2 with SHA256withRSA, over SNS's canonical string:
 * "Key\nValue\n" for the message's signed keys in order, Subject only when present.
 */
import { createPrivateKey, generateKeyPairSync, randomUUID, sign, verify, X509Certificate } from 'node:crypto';
import { GLOBAL_ACCOUNT, type Tx } from '../../store/types.js';
import { makeCertificate } from '../../server/tls/x509.js';

export const SIGNING = 'sns:signing';
const SCOPE = { account: GLOBAL_ACCOUNT, region: '' };

export interface SigningRecord { id: string; certPem: string; keyPem: string; baseUrl?: string }

export function makeSigningPair(nowMs: number): SigningRecord {
  const rsa = generateKeyPairSync('rsa', { modulusLength: 2048 });
  const issuer = generateKeyPairSync('ec', { namedCurve: 'P-256' });
  const certPem = makeCertificate({
    subject: { cn: 'sns.amazonaws.com', o: 'cloudlet (local SNS signing)' },
    publicKey: rsa.publicKey,
    issuer: { cn: 'cloudlet SNS signing issuer', o: 'cloudlet', privateKey: issuer.privateKey, publicKey: issuer.publicKey },
    notBefore: new Date(nowMs - 86_400_000), notAfter: new Date(nowMs + 3650 * 86_400_000), ca: false, names: ['sns.amazonaws.com'],
  });
  return { id: randomUUID().replace(/-/g, ''), certPem, keyPem: rsa.privateKey.export({ type: 'pkcs8', format: 'pem' }) as string };
}

/** The state's signing pair (made now when there is none). */
export function signingPair(tx: Tx, nowMs: number): SigningRecord {
  const have = tx.get<SigningRecord>(SCOPE, SIGNING, 'current');
  if (have) return have;
  const made = makeSigningPair(nowMs);
  tx.put(SCOPE, SIGNING, 'current', made);
  return made;
}

/** Remembers the URL clients reach cloudlet at (for SubscribeURL, SigningCertURL ... in deliveries a service starts). */
export function rememberBaseUrl(tx: Tx, nowMs: number, baseUrl: string): SigningRecord {
  const p = signingPair(tx, nowMs);
  if (p.baseUrl === baseUrl) return p;
  const next = { ...p, baseUrl };
  tx.put(SCOPE, SIGNING, 'current', next);
  return next;
}

export function readSigning(tx: Tx): SigningRecord | undefined {
  return tx.get<SigningRecord>(SCOPE, SIGNING, 'current');
}

export const certPath = (id: string): string => `/_cloudlet/sns/SimpleNotificationService-${id}.pem`;

const NOTIFICATION_KEYS = ['Message', 'MessageId', 'Subject', 'Timestamp', 'TopicArn', 'Type'];
const CONFIRMATION_KEYS = ['Message', 'MessageId', 'SubscribeURL', 'Timestamp', 'Token', 'TopicArn', 'Type'];

/** The string SNS signs for a message (its Type picks the keys). */
export function stringToSign(m: Record<string, unknown>): string {
  const keys = m.Type === 'Notification' ? NOTIFICATION_KEYS : CONFIRMATION_KEYS;
  let s = '';
  for (const k of keys) if (m[k] !== undefined) s += `${k}\n${String(m[k])}\n`;
  return s;
}

const algorithm = (version: string): string => (version === '2' ? 'sha256' : 'sha1');

export function signMessage(m: Record<string, unknown>, keyPem: string, version: string): string {
  return sign(algorithm(version), Buffer.from(stringToSign(m), 'utf8'), createPrivateKey(keyPem)).toString('base64');
}

/** What a subscriber does: check Signature with the certificate's public key. */
export function verifyMessage(m: Record<string, unknown>, certPem: string): boolean {
  const key = new X509Certificate(certPem).publicKey;
  return verify(algorithm(String(m.SignatureVersion)), Buffer.from(stringToSign(m), 'utf8'), key, Buffer.from(String(m.Signature), 'base64'));
}
