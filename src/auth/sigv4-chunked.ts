/**
 * S3 aws-chunked bodies: decodes the framing and verifies the chunk-signature chain.
 *
 *   hex-size;chunk-signature=SIG\r\n DATA \r\n ... 0;chunk-signature=SIG\r\n [trailers] \r\n
 *
 * Chunk n is signed over "AWS4-HMAC-SHA256-PAYLOAD\n{amzDate}\n{scope}\n{sig n-1}\n{sha256('')}\n
 * {sha256(data n)}", sig 0 being the request's own signature (the seed). Trailers, when signed,
 * end with x-amz-trailer-signature over "AWS4-HMAC-SHA256-TRAILER\n...\n{last chunk sig}\n
 * {sha256('name:value\n'...)}". STREAMING-UNSIGNED-PAYLOAD-TRAILER has the same framing without
 * any signatures.
 */
import { createHash, type Hash } from 'node:crypto';
import { Transform, type TransformCallback } from 'node:stream';
import {
  EMPTY_SHA256,
  STREAMING_SIGNED,
  STREAMING_SIGNED_TRAILER,
  STREAMING_UNSIGNED_TRAILER,
  SigV4Error,
  hmac,
  sha256Hex,
  signaturesEqual,
} from './sigv4-core.js';

export type ChunkedMode = 'signed' | 'signed-trailer' | 'unsigned-trailer';

/** Which aws-chunked variant an x-amz-content-sha256 value announces, if any. */
export function chunkedMode(payloadHash: string): ChunkedMode | undefined {
  if (payloadHash === STREAMING_SIGNED) return 'signed';
  if (payloadHash === STREAMING_SIGNED_TRAILER) return 'signed-trailer';
  if (payloadHash === STREAMING_UNSIGNED_TRAILER) return 'unsigned-trailer';
  return undefined;
}

/** The parts of a verified request the chain needs (a VerifyResult has them all). */
export interface ChunkSigningContext {
  payloadHash: string;
  seedSignature: string;
  signingKey: Buffer;
  amzDate: string;
  scope: string;
}

export interface ChunkVerifierOptions {
  /** x-amz-decoded-content-length: the decoded size must equal it. */
  decodedLength?: number;
  /**
   * Largest signed chunk accepted. Signed chunks are held until their signature checks, so that
   * only verified bytes are ever emitted; this bounds that memory. Default 16 MiB.
   */
  maxChunkBytes?: number;
}

const MAX_LINE = 4096;
const MAX_TRAILERS = 32;

const fail = (msg: string): SigV4Error => new SigV4Error('signature', msg);

export function chunkSignature(key: Buffer, amzDate: string, scope: string, prev: string, dataSha256: string): string {
  return hmac(key, `AWS4-HMAC-SHA256-PAYLOAD\n${amzDate}\n${scope}\n${prev}\n${EMPTY_SHA256}\n${dataSha256}`).toString('hex');
}

export function trailerSignature(key: Buffer, amzDate: string, scope: string, prev: string, canonicalTrailers: string): string {
  return hmac(key, `AWS4-HMAC-SHA256-TRAILER\n${amzDate}\n${scope}\n${prev}\n${sha256Hex(canonicalTrailers)}`).toString('hex');
}

type State = 'size' | 'data' | 'data-end' | 'trailer' | 'done';

/**
 * A Transform from the aws-chunked body to the decoded payload. Errors with SigV4Error('signature')
 * on a bad signature or malformed framing. After 'end', `trailers` holds the trailing headers
 * (lower-case names, e.g. x-amz-checksum-crc32) for the caller to check checksums against.
 */
export class ChunkVerifier extends Transform {
  /** Null-prototype, so a trailer named like an Object.prototype member is just a key. */
  readonly trailers: Record<string, string> = Object.create(null) as Record<string, string>;
  decodedBytes = 0;

  private readonly mode: ChunkedMode;
  private readonly signed: boolean;
  private state: State = 'size';
  private line: Buffer[] = [];
  private lineLen = 0;
  private remaining = 0;
  private crlfSeen = 0;
  private hash: Hash | undefined;
  private held: Buffer[] = [];
  private chunkSig = '';
  private prevSig: string;
  private trailerCount = 0;
  private trailerSig: string | undefined;

  constructor(
    private readonly ctx: ChunkSigningContext,
    private readonly opts: ChunkVerifierOptions = {},
  ) {
    super();
    const mode = chunkedMode(ctx.payloadHash);
    if (!mode) throw new SigV4Error('malformed', `'${ctx.payloadHash}' is not an aws-chunked payload.`);
    this.mode = mode;
    this.signed = mode !== 'unsigned-trailer';
    this.prevSig = ctx.seedSignature;
  }

  override _transform(chunk: Buffer, _enc: BufferEncoding, cb: TransformCallback): void {
    try {
      this.consume(Buffer.isBuffer(chunk) ? chunk : Buffer.from(chunk));
      cb();
    } catch (e) {
      cb(e as Error);
    }
  }

  override _flush(cb: TransformCallback): void {
    try {
      // The SDKs end an unsigned body without trailers right after "0\r\n": accept EOF there.
      if (this.state === 'trailer' && this.lineLen === 0) this.finishTrailers();
      if (this.state !== 'done') throw fail('The aws-chunked body ended before its final chunk.');
      const want = this.opts.decodedLength;
      if (want !== undefined && this.decodedBytes !== want) {
        throw fail(`Decoded length ${this.decodedBytes} does not match x-amz-decoded-content-length ${want}.`);
      }
      cb();
    } catch (e) {
      cb(e as Error);
    }
  }

  private consume(buf: Buffer): void {
    let i = 0;
    while (i < buf.length) {
      switch (this.state) {
        case 'size':
        case 'trailer': {
          const nl = buf.indexOf(0x0a, i);
          const end = nl < 0 ? buf.length : nl + 1;
          this.line.push(buf.subarray(i, end));
          this.lineLen += end - i;
          i = end;
          if (this.lineLen > MAX_LINE) throw fail('aws-chunked header line too long.');
          if (nl < 0) break;
          const line = Buffer.concat(this.line).toString('latin1');
          this.line = [];
          this.lineLen = 0;
          if (!line.endsWith('\r\n')) throw fail('aws-chunked line not terminated by CRLF.');
          if (this.state === 'size') this.chunkHeader(line.slice(0, -2));
          else this.trailerLine(line.slice(0, -2));
          break;
        }
        case 'data': {
          const n = Math.min(this.remaining, buf.length - i);
          const piece = buf.subarray(i, i + n);
          i += n;
          this.remaining -= n;
          this.hash?.update(piece);
          if (this.signed) this.held.push(piece);
          else {
            this.decodedBytes += n;
            this.push(piece);
          }
          if (this.remaining === 0) this.state = 'data-end';
          break;
        }
        case 'data-end': {
          if (buf[i] !== (this.crlfSeen === 0 ? 0x0d : 0x0a)) throw fail('aws-chunked data not followed by CRLF.');
          i++;
          if (++this.crlfSeen === 2) this.endChunk();
          break;
        }
        case 'done':
          throw fail('Unexpected bytes after the end of the aws-chunked body.');
      }
    }
  }

  private chunkHeader(line: string): void {
    const [sizeHex = '', ...exts] = line.split(';');
    if (!/^[0-9a-fA-F]{1,13}$/.test(sizeHex)) throw fail('Invalid aws-chunked chunk size.');
    const size = parseInt(sizeHex, 16);
    let sig: string | undefined;
    for (const ext of exts) {
      const eq = ext.indexOf('=');
      if (eq > 0 && ext.slice(0, eq).trim() === 'chunk-signature') sig = ext.slice(eq + 1).trim();
    }
    if (this.signed && sig === undefined) throw fail('Missing chunk-signature in aws-chunked body.');
    this.chunkSig = sig ?? '';
    const want = this.opts.decodedLength;
    if (want !== undefined && this.decodedBytes + size > want) throw fail('aws-chunked body longer than x-amz-decoded-content-length.');
    if (size === 0) {
      this.checkChunk(EMPTY_SHA256);
      this.state = 'trailer';
      return;
    }
    if (this.signed && size > (this.opts.maxChunkBytes ?? 16 * 1024 * 1024)) throw fail('aws-chunked chunk too large.');
    this.remaining = size;
    this.hash = this.signed ? createHash('sha256') : undefined;
    this.state = 'data';
  }

  private endChunk(): void {
    this.crlfSeen = 0;
    if (this.signed) {
      this.checkChunk((this.hash as Hash).digest('hex'));
      for (const b of this.held) {
        this.decodedBytes += b.length;
        this.push(b);
      }
      this.held = [];
    }
    this.hash = undefined;
    this.state = 'size';
  }

  private checkChunk(dataSha256: string): void {
    if (!this.signed) return;
    const expected = chunkSignature(this.ctx.signingKey, this.ctx.amzDate, this.ctx.scope, this.prevSig, dataSha256);
    if (!signaturesEqual(expected, this.chunkSig)) {
      throw fail('The request signature we calculated does not match the signature you provided (aws-chunked chunk).');
    }
    this.prevSig = expected;
  }

  private trailerLine(line: string): void {
    if (line === '') {
      this.finishTrailers();
      return;
    }
    const colon = line.indexOf(':');
    if (colon <= 0 || ++this.trailerCount > MAX_TRAILERS) throw fail('Malformed aws-chunked trailer.');
    const name = line.slice(0, colon).trim().toLowerCase();
    const value = line.slice(colon + 1).trim();
    if (name === 'x-amz-trailer-signature') {
      if (this.trailerSig !== undefined) throw fail('Duplicate x-amz-trailer-signature.');
      this.trailerSig = value;
      return;
    }
    if (name in this.trailers) throw fail(`Duplicate trailer ${name}.`);
    this.trailers[name] = value;
  }

  private finishTrailers(): void {
    const names = Object.keys(this.trailers).sort();
    if (this.mode === 'signed' && (names.length > 0 || this.trailerSig !== undefined)) {
      throw fail('Trailers are not allowed with STREAMING-AWS4-HMAC-SHA256-PAYLOAD.');
    }
    if (this.mode === 'signed-trailer' && (names.length > 0 || this.trailerSig !== undefined)) {
      if (this.trailerSig === undefined) throw fail('Missing x-amz-trailer-signature.');
      const canonical = names.map((n) => `${n}:${this.trailers[n]}\n`).join('');
      const expected = trailerSignature(this.ctx.signingKey, this.ctx.amzDate, this.ctx.scope, this.prevSig, canonical);
      if (!signaturesEqual(expected, this.trailerSig)) throw fail('The trailer signature we calculated does not match the one you provided.');
    }
    this.state = 'done';
  }
}

export function createChunkVerifier(ctx: ChunkSigningContext, opts?: ChunkVerifierOptions): ChunkVerifier {
  return new ChunkVerifier(ctx, opts);
}
