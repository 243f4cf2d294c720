import { createServer, type Server } from 'node:http';
import { generateKeyPairSync, sign, type KeyObject } from 'node:crypto';

/**
 * A tiny OpenID Connect issuer on loopback: discovery document, JWKS, and JWT signing with
 * an RSA (RS256) and an EC P-256 (ES256) key. Its issuer URL is https://127.0.0.1:PORT/PATH,
 * the form IAM accepts; cloudlet fetches loopback issuers over plain http.
 */
export interface TestIssuer {
  /** https://127.0.0.1:PORT/PATH: what tokens carry in iss and IAM registers. */
  url: string;
  /** 127.0.0.1:PORT/PATH: the provider ARN's suffix and condition-key prefix. */
  hostPath: string;
  /** How many times the JWKS was fetched. */
  jwksFetches(): number;
  /** Signs a token; claims are merged over iss/sub/aud/iat/exp defaults. */
  token(claims?: Record<string, unknown>, opts?: { alg?: 'RS256' | 'ES256'; kid?: string; key?: KeyObject }): string;
  close(): Promise<void>;
}

const b64url = (v: unknown) => Buffer.from(JSON.stringify(v)).toString('base64url');

export async function startIssuer(opts: { path?: string; audience?: string; keysDelayMs?: number } = {}): Promise<TestIssuer> {
  const rsa = generateKeyPairSync('rsa', { modulusLength: 2048 });
  const ec = generateKeyPairSync('ec', { namedCurve: 'P-256' });
  const path = opts.path ?? '/oidc';
  let fetches = 0;
  let url = '';
  const server: Server = createServer((req, res) => {
    const p = (req.url ?? '').split('?')[0];
    if (p === `${path}/.well-known/openid-configuration`) {
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ issuer: url, jwks_uri: `${url}/keys`, id_token_signing_alg_values_supported: ['RS256', 'ES256'] }));
    } else if (p === `${path}/keys`) {
      fetches++;
      const keys = [
        { ...rsa.publicKey.export({ format: 'jwk' }), kid: 'rsa-1', use: 'sig', alg: 'RS256' },
        { ...ec.publicKey.export({ format: 'jwk' }), kid: 'ec-1', use: 'sig', alg: 'ES256' },
      ];
      const send = () => { res.writeHead(200, { 'content-type': 'application/json' }); res.end(JSON.stringify({ keys })); };
      if (opts.keysDelayMs) setTimeout(send, opts.keysDelayMs); else send();
    } else {
      res.writeHead(404).end();
    }
  });
  await new Promise<void>((ok) => server.listen(0, '127.0.0.1', () => ok()));
  const port = (server.address() as { port: number }).port;
  url = `https://127.0.0.1:${port}${path}`;
  return {
    url,
    hostPath: `127.0.0.1:${port}${path}`,
    jwksFetches: () => fetches,
    token(claims = {}, o = {}) {
      const alg = o.alg ?? 'RS256';
      const now = Math.floor(Date.now() / 1000);
      const header = { alg, typ: 'JWT', kid: o.kid ?? (alg === 'RS256' ? 'rsa-1' : 'ec-1') };
      const payload = { iss: url, sub: 'system:serviceaccount:default:app', aud: opts.audience ?? 'sts.amazonaws.com', iat: now, exp: now + 3600, ...claims };
      const input = `${b64url(header)}.${b64url(payload)}`;
      const key = o.key ?? (alg === 'RS256' ? rsa.privateKey : ec.privateKey);
      const sig = alg === 'RS256' ? sign('sha256', Buffer.from(input), key) : sign('sha256', Buffer.from(input), { key, dsaEncoding: 'ieee-p1363' });
      return `${input}.${sig.toString('base64url')}`;
    },
    close: () => new Promise<void>((done) => { server.close(() => done()); server.closeAllConnections(); }),
  };
}
