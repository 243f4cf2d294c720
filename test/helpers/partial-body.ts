import { connect } from 'node:net';

const MiB = 1024 * 1024;

export interface PartialBody {
  /** The status line and body of the answer once the connection closes ('closed' when none came). */
  status: Promise<string>;
  /** The status line, as soon as the first bytes of an answer arrive. */
  answered: Promise<string>;
  destroy(): void;
}

/** A signature header in the shape SDKs send (it verifies nothing, which is the point). */
export const fakeSigV4 = (service: string) =>
  `AWS4-HMAC-SHA256 Credential=test/20261204/us-east-1/${service}/aws4_request, SignedHeaders=host;x-amz-date, Signature=${'0'.repeat(64)}`;

/**
 * One raw socket of a hostile client: headers declaring `declared` body bytes, then `send` bytes,
 * then silence (the connection stays open until the server or `destroy` ends it).
 */
export function partialBody(url: string, o: { declared: number; send: number; headers?: string; path?: string; method?: string }): PartialBody {
  const u = new URL(url);
  const s = connect(Number(u.port), u.hostname);
  let answer: (line: string) => void = () => {};
  const answered = new Promise<string>((done) => { answer = done; });
  const status = new Promise<string>((done) => {
    let got = '';
    s.on('data', (d: Buffer) => { got += d.toString('latin1'); answer(got.split('\r\n')[0]!); });
    s.on('error', () => {});
    s.on('close', () => {
      answer('closed');
      done(got ? `${got.split('\r\n')[0]}\n${got.slice(got.indexOf('\r\n\r\n') + 4)}` : 'closed');
    });
  });
  s.write(`${o.method ?? 'POST'} ${o.path ?? '/'} HTTP/1.1\r\nHost: ${u.host}\r\n${o.headers ?? ''}Content-Type: application/x-www-form-urlencoded\r\nContent-Length: ${o.declared}\r\n\r\n`);
  const piece = Buffer.alloc(MiB, 0x41);
  let sent = 0;
  const pump = (): void => {
    while (sent < o.send && !s.destroyed) {
      const n = Math.min(MiB, o.send - sent);
      sent += n;
      if (!s.write(n === MiB ? piece : piece.subarray(0, n))) { s.once('drain', pump); return; }
    }
  };
  pump();
  return { status, answered, destroy: () => s.destroy() };
}
