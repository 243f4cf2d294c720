/**
 * Request bodies into the blob store, outside any transaction: aws-chunked bodies are decoded and
 * their chunk signatures verified as they stream, every checksum the client named (in a header or
 * an aws-chunked trailer) is computed on the way, and the blob is kept only if Content-MD5,
 * x-amz-content-sha256 and the checksums all agree. A refused or cut-off body leaves no blob.
 */
import { Readable, Transform, pipeline } from 'node:stream';
import { AwsError } from '../../core/errors.js';
import { authError } from '../../auth/auth-errors.js';
import { SigV4Error } from '../../auth/sigv4-core.js';
import { chunkedMode, createChunkVerifier, type ChunkVerifier } from '../../auth/sigv4-chunked.js';
import type { BlobInfo } from '../../store/types.js';
import type { RequestContext } from '../types.js';
import { CHECKSUM_ALGORITHMS, checksumHeader, hashingStream, parseAlgorithm, type ChecksumAlgorithm } from './checksums.js';

/** S3's largest single PUT. */
export const MAX_PUT_BYTES = 5 * 1024 ** 3;

export interface Ingested {
  blob: BlobInfo;
  /** The object's checksum: the one the client named, else CRC64NVME (S3's default since 2024). */
  checksum: { algorithm: ChecksumAlgorithm; value: string };
  /** Every checksum computed (one, or more when the client sent several headers). */
  checksums: Partial<Record<ChecksumAlgorithm, string>>;
}

/** The checksum algorithms a request names, and the values it sent in headers. */
export function requestedChecksums(headers: Record<string, string>): { algorithm?: ChecksumAlgorithm; sent: Partial<Record<ChecksumAlgorithm, string>>; trailer?: ChecksumAlgorithm } {
  const sent: Partial<Record<ChecksumAlgorithm, string>> = {};
  for (const a of CHECKSUM_ALGORITHMS) {
    const v = headers[checksumHeader(a)];
    if (v !== undefined) sent[a] = v;
  }
  if (Object.keys(sent).length > 1) {
    throw new AwsError('InvalidRequest', 'Expecting a single x-amz-checksum- header. Multiple checksum Types are not allowed.', 400);
  }
  let algorithm: ChecksumAlgorithm | undefined;
  const declared = headers['x-amz-sdk-checksum-algorithm'];
  if (declared !== undefined) {
    algorithm = parseAlgorithm(declared);
    if (!algorithm) throw new AwsError('InvalidRequest', 'Value for x-amz-sdk-checksum-algorithm header is invalid.', 400);
  }
  let trailer: ChecksumAlgorithm | undefined;
  const t = headers['x-amz-trailer'];
  if (t !== undefined) {
    const name = t.trim().toLowerCase();
    trailer = CHECKSUM_ALGORITHMS.find((a) => checksumHeader(a) === name);
    if (!trailer) throw new AwsError('InvalidRequest', `The value specified in the x-amz-trailer header is not supported`, 400);
  }
  const named = Object.keys(sent)[0] as ChecksumAlgorithm | undefined;
  if (algorithm && named && named !== algorithm) {
    throw new AwsError('InvalidRequest', `Value for x-amz-sdk-checksum-algorithm header is invalid.`, 400);
  }
  return { algorithm: algorithm ?? named ?? trailer, sent, trailer };
}

/** Streams one request body to a new blob and verifies it; see the file comment. */
export async function ingestBody(ctx: RequestContext, body: Readable | Buffer | string | undefined, opts: { maxBytes?: number; defaultAlgorithm?: ChecksumAlgorithm; also?: ChecksumAlgorithm[] } = {}): Promise<Ingested> {
  const headers = ctx.wire.headers;
  const { algorithm, sent, trailer } = requestedChecksums(headers);
  const chosen = algorithm ?? opts.defaultAlgorithm ?? 'CRC64NVME';
  const algorithms = [...new Set([chosen, ...(opts.also ?? []), ...(Object.keys(sent) as ChecksumAlgorithm[])])];
  const source = body instanceof Readable ? body : Readable.from([Buffer.from(body ?? '')]);
  const payloadHash = headers['x-amz-content-sha256'] ?? '';
  const mode = ctx.signing?.chunked ?? chunkedMode(payloadHash);
  let verifier: ChunkVerifier | undefined;
  const stages: Transform[] = [];
  if (mode) {
    const decoded = headers['x-amz-decoded-content-length'];
    const decodedLength = decoded !== undefined && /^\d+$/.test(decoded) ? Number(decoded) : undefined;
    if (mode !== 'unsigned-trailer' && !ctx.signing) throw new AwsError('AccessDenied', 'Access Denied', 403);
    verifier = createChunkVerifier(ctx.signing ?? { payloadHash, seedSignature: '', signingKey: Buffer.alloc(0), amzDate: '', scope: '' }, { decodedLength });
    stages.push(verifier);
  }
  const hasher = hashingStream(algorithms);
  stages.push(hasher);
  // The request itself is piped, not put in a pipeline: a refused body must not destroy the
  // socket the refusal is to be written on.
  if (stages.length > 1) pipeline(stages as unknown as [Transform, Transform], () => { /* errors reach blobs.write through the hasher */ });
  source.on('error', (e) => stages[0]!.destroy(e));
  // blobs.write reports the first error; one that comes after it stopped reading must not go uncaught.
  for (const s of stages) s.on('error', () => { /* reported through blobs.write */ });
  source.pipe(stages[0]!);
  let blob: BlobInfo;
  try {
    // The hasher computes MD5 (the ETag) already; SHA-256 is needed only to check a hex x-amz-content-sha256.
    const needSha256 = !mode && /^[0-9a-f]{64}$/i.test(payloadHash);
    blob = await ctx.blobs.write(hasher, { maxBytes: opts.maxBytes ?? MAX_PUT_BYTES, md5: false, sha256: needSha256 });
    blob = { ...blob, md5: hasher.md5Hex };
  } catch (err) {
    if (err instanceof SigV4Error) throw authError(err.failure, 'rest-xml', err.message);
    const cause = (err as { cause?: unknown }).cause;
    if (cause instanceof SigV4Error) throw authError(cause.failure, 'rest-xml', cause.message);
    throw err;
  }
  try {
    verify(headers, blob, hasher.checksums, sent, trailer ? { algorithm: trailer, value: verifier?.trailers[checksumHeader(trailer)] } : undefined, mode !== undefined);
  } catch (err) {
    ctx.blobs.delete(blob.id);
    throw err;
  }
  return { blob, checksum: { algorithm: chosen, value: hasher.checksums[chosen]! }, checksums: hasher.checksums };
}

/** Content-MD5 against the body's MD5 (hex): InvalidDigest for a malformed value, BadDigest for another body. */
export function checkContentMd5(md5: string | undefined, actualHex: string): void {
  if (md5 === undefined) return;
  const raw = Buffer.from(md5, 'base64');
  if (raw.length !== 16 || raw.toString('base64') !== md5) throw new AwsError('InvalidDigest', 'The Content-MD5 you specified was invalid.', 400, { fields: { 'Content-MD5': md5 } });
  if (raw.toString('hex') !== actualHex) {
    throw new AwsError('BadDigest', 'The Content-MD5 you specified did not match what we received.', 400, {
      fields: { ExpectedDigest: md5, CalculatedDigest: Buffer.from(actualHex, 'hex').toString('base64') },
    });
  }
}

export const checksumMismatch = (a: ChecksumAlgorithm): AwsError =>
  new AwsError('BadDigest', `The ${a} you specified did not match the calculated checksum.`, 400);

function verify(
  headers: Record<string, string>, blob: BlobInfo, computed: Partial<Record<ChecksumAlgorithm, string>>,
  sent: Partial<Record<ChecksumAlgorithm, string>>, trailer: { algorithm: ChecksumAlgorithm; value: string | undefined } | undefined, chunked: boolean,
): void {
  checkContentMd5(headers['content-md5'], blob.md5);
  const sha = headers['x-amz-content-sha256'];
  if (!chunked && sha && /^[0-9a-f]{64}$/i.test(sha) && sha.toLowerCase() !== blob.sha256) {
    throw new AwsError('XAmzContentSHA256Mismatch', "The provided 'x-amz-content-sha256' header does not match what was computed.", 400, {
      fields: { ClientComputedContentSHA256: sha, S3ComputedContentSHA256: blob.sha256 },
    });
  }
  const check = (a: ChecksumAlgorithm, value: string) => {
    if (value !== computed[a]) throw checksumMismatch(a);
  };
  for (const [a, v] of Object.entries(sent) as Array<[ChecksumAlgorithm, string]>) check(a, v);
  if (trailer) {
    if (trailer.value === undefined) throw new AwsError('InvalidRequest', `The ${checksumHeader(trailer.algorithm)} trailer was declared but not sent.`, 400);
    check(trailer.algorithm, trailer.value);
  }
}
