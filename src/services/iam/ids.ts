import { createHash, randomBytes } from 'node:crypto';

/**
 * IAM's identifiers. Unique IDs are a four-letter prefix saying what they name plus 17
 * upper-case base32 characters (21 in all, like AIDAJQABLZS4A3QDU576Q); access key IDs are
 * AKIA plus 16 (20 in all); secret keys are 40 characters of base64's alphabet.
 */
export type IdPrefix = 'AIDA' | 'AGPA' | 'AROA' | 'ANPA' | 'AIPA';

const BASE32 = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567';
const BASE64 = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/';

function draw(alphabet: string, n: number, bytes: Buffer = randomBytes(n)): string {
  let out = '';
  // 256 is a multiple of both alphabet sizes (32, 64), so `% length` is unbiased.
  for (let i = 0; i < n; i++) out += alphabet[bytes[i]! % alphabet.length];
  return out;
}

export const uniqueId = (prefix: IdPrefix): string => prefix + draw(BASE32, 17);

/** The same ID for the same seed: AWS managed policies keep one ID in every account. */
export const stableId = (prefix: IdPrefix, seed: string): string =>
  prefix + draw(BASE32, 17, createHash('sha256').update(seed).digest());

export const newAccessKeyId = (): string => 'AKIA' + draw(BASE32, 16);

export const newSecretAccessKey = (): string => draw(BASE64, 40);
