import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { SignatureV4 } from '@smithy/signature-v4';
import { Sha256 } from '@smithy/core/checksum';
import { buildQueryString } from '@smithy/core/protocols';
import type { WireRequest } from '../protocol/codec.js';
import { type Credential, rootPrincipal } from './principal.js';
import { type AuthFailure, SigV4Error, verify, type VerifyOptions } from './sigv4.js';

/** The SigV4 tests' harness: sign with the official SDK signer, hand the verifier what the wire would carry. */

export const NOW = Date.UTC(2024, 4, 1, 12, 0, 0);
export const MIN = 60_000;
export const SECRET = 'S3cr3t/Key+With=Chars';

export const cred = (accessKeyId: string, secretAccessKey: string, extra: Partial<Credential> = {}): Credential => ({
  accessKeyId,
  secretAccessKey,
  principal: rootPrincipal('123456789012', accessKeyId),
  ...extra,
});

export const CREDS: Record<string, Credential> = {
  AKIDROOT: cred('AKIDROOT', SECRET),
  AKIDOFF: cred('AKIDOFF', SECRET, { status: 'Inactive' }),
  ASIATEMP: cred('ASIATEMP', SECRET, {
    sessionToken: 'FwoGZXIvYXdzEJr//////////wEaDH+token/with=chars',
    principal: { ...rootPrincipal('123456789012', 'ASIATEMP'), kind: 'assumed-role', expiresAt: NOW + 60 * MIN },
  }),
  ASIAOLD: cred('ASIAOLD', SECRET, {
    sessionToken: 'old-token',
    principal: { ...rootPrincipal('123456789012', 'ASIAOLD'), kind: 'assumed-role', expiresAt: NOW - 1 },
  }),
  // The AWS documentation's example keys.
  AKIDEXAMPLE: cred('AKIDEXAMPLE', 'wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY'),
  AKIAIOSFODNN7EXAMPLE: cred('AKIAIOSFODNN7EXAMPLE', 'wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY'),
};
export const lookup = (id: string): Credential | undefined => (Object.prototype.hasOwnProperty.call(CREDS, id) ? CREDS[id] : undefined);

export interface SdkRequest {
  method: string;
  hostname?: string;
  /** Already percent-encoded, as an SDK serializer produces it. */
  path: string;
  query?: Record<string, string | string[]>;
  headers?: Record<string, string>;
  body?: string | Buffer;
}

export interface SignOpts {
  service?: string;
  region?: string;
  s3?: boolean;
  accessKeyId?: string;
  secretAccessKey?: string;
  sessionToken?: string;
  date?: number;
  applyChecksum?: boolean;
}

export function signer(o: SignOpts): SignatureV4 {
  const credentials = {
    accessKeyId: o.accessKeyId ?? 'AKIDROOT',
    secretAccessKey: o.secretAccessKey ?? SECRET,
    ...(o.sessionToken !== undefined ? { sessionToken: o.sessionToken } : {}),
  };
  return new SignatureV4({
    credentials,
    region: o.region ?? 'us-east-1',
    service: o.service ?? (o.s3 ? 's3' : 'iam'),
    sha256: Sha256,
    uriEscapePath: !o.s3,
    ...(o.applyChecksum !== undefined ? { applyChecksum: o.applyChecksum } : {}),
  });
}

export function sdkHttpRequest(r: SdkRequest): any {
  const hostname = r.hostname ?? 'localhost';
  return {
    method: r.method,
    protocol: 'http:',
    hostname,
    path: r.path,
    query: r.query ?? {},
    headers: { host: hostname, ...(r.headers ?? {}) },
    ...(r.body !== undefined ? { body: r.body } : {}),
  };
}

export function toWire(signed: any, body: string | Buffer | undefined): WireRequest {
  const headers: Record<string, string> = {};
  for (const [k, v] of Object.entries(signed.headers as Record<string, string>)) headers[k.toLowerCase()] = v;
  return {
    method: signed.method,
    path: signed.path,
    query: buildQueryString(signed.query ?? {}),
    headers,
    body: body === undefined ? Buffer.alloc(0) : Buffer.from(body),
    host: signed.hostname,
  };
}

export async function sign(r: SdkRequest, o: SignOpts = {}): Promise<WireRequest> {
  const signed = await signer(o).sign(sdkHttpRequest(r), { signingDate: new Date(o.date ?? NOW) });
  return toWire(signed, r.body);
}

export async function presign(r: SdkRequest, o: SignOpts & { expiresIn?: number } = {}): Promise<WireRequest> {
  const signed = await signer(o).presign(sdkHttpRequest(r), {
    signingDate: new Date(o.date ?? NOW),
    expiresIn: o.expiresIn ?? 900,
  });
  return toWire(signed, r.body);
}

export const check = (req: WireRequest, o: Partial<VerifyOptions> = {}) => verify(req, { lookup, nowMs: NOW, ...o });

export function expectFailure(fn: () => unknown, failure: AuthFailure): void {
  assert.throws(fn, (e: unknown) => {
    assert.ok(e instanceof SigV4Error, `expected SigV4Error, got ${String(e)}`);
    assert.equal(e.failure, failure, e.message);
    return true;
  });
}

export const withHeader = (r: WireRequest, name: string, value: string | undefined): WireRequest => {
  const headers = { ...r.headers };
  if (value === undefined) delete headers[name];
  else headers[name] = value;
  return { ...r, headers };
};

export const hex = (s: string | Buffer) => createHash('sha256').update(s).digest('hex');

