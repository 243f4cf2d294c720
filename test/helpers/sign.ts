import { createHash, createHmac } from 'node:crypto';
import { SignatureV4 } from '@smithy/signature-v4';

/** node:crypto behind the hash interface the official signer expects. */
export class NodeSha256 {
  private readonly h;
  constructor(secret?: unknown) {
    this.h = secret ? createHmac('sha256', secret as string | Buffer) : createHash('sha256');
  }
  update(data: Uint8Array | string): void {
    this.h.update(data);
  }
  async digest(): Promise<Uint8Array> {
    return new Uint8Array(this.h.digest());
  }
}

export interface RawRequest {
  method?: string;
  path?: string;
  query?: Record<string, string>;
  headers?: Record<string, string>;
  body?: string | Buffer;
}

/**
 * Signs a hand-made request with the official SigV4 signer and sends it, so tests can send
 * what no SDK would (malformed bodies, unknown actions) and still pass authentication.
 */
export async function signedFetch(
  url: string, service: string, raw: RawRequest,
  opts: { region?: string; accessKeyId?: string; secretAccessKey?: string; sessionToken?: string; date?: Date } = {},
): Promise<Response> {
  const u = new URL(url);
  const signer = new SignatureV4({
    service,
    region: opts.region ?? 'us-east-1',
    credentials: { accessKeyId: opts.accessKeyId ?? 'test', secretAccessKey: opts.secretAccessKey ?? 'test', sessionToken: opts.sessionToken },
    sha256: NodeSha256 as never,
    uriEscapePath: service !== 's3',
    applyChecksum: service === 's3',
  });
  const body = raw.body ?? '';
  const signed = await signer.sign({
    method: raw.method ?? 'POST',
    protocol: 'http:',
    hostname: u.hostname,
    port: Number(u.port),
    path: raw.path ?? '/',
    query: raw.query ?? {},
    headers: { host: u.host, ...(raw.headers ?? {}) },
    body,
  }, { signingDate: opts.date });
  const qs = new URLSearchParams(signed.query as Record<string, string>).toString().replace(/\+/g, '%20');
  return fetch(`${url}${signed.path}${qs ? `?${qs}` : ''}`, {
    method: signed.method,
    headers: signed.headers as Record<string, string>,
    // fetch's BodyInit wants an ArrayBuffer-backed view; a Buffer may sit on a shared pool.
    body: signed.method === 'GET' || signed.method === 'HEAD' ? undefined : typeof body === 'string' ? body : new Uint8Array(body),
  });
}

/** A form-encoded query-protocol request (IAM, STS, EC2 ...). */
export function queryRequest(params: Record<string, string>): RawRequest {
  return {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded; charset=utf-8' },
    body: new URLSearchParams(params).toString(),
  };
}
