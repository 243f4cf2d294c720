import { createHash, type Hash } from 'node:crypto';
import { Transform, type TransformCallback } from 'node:stream';
import * as zlib from 'node:zlib';
import {
  createCRC32, createCRC64, createXXHash128, createXXHash3, createXXHash64, type IHasher,
} from 'hash-wasm';

/**
 * The one place S3 computes object checksums: every ChecksumAlgorithm of the S3 model, the
 * member and header names that carry them, streaming hashers, and the multipart arithmetic
 * (COMPOSITE checksums, FULL_OBJECT CRC combination, the multipart ETag).
 *
 * Implementations: SHA1, SHA256, SHA512 and MD5 are node:crypto. CRC32 is zlib.crc32 where Node
 * has it (20.15+, 22.2+), else hash-wasm. CRC32C, CRC64NVME and the three xxHash variants are
 * hash-wasm (MIT, WebAssembly compiled from C, no native addon); their digests were checked
 * against the AWS SDK for JavaScript's own implementations (@aws-sdk/checksums).
 *
 * hash-wasm only creates hashers asynchronously, so this module does that once, at load, with a
 * top-level await: one WebAssembly instance per algorithm. Every Hasher of that algorithm shares
 * the instance and keeps its own saved state; the instance swaps state (save/load, a few hundred
 * bytes at most) only when a different hasher uses it than the one before, so createHasher() is
 * synchronous and a single stream pays nothing for the sharing.
 */

export type ChecksumAlgorithm =
  'CRC32' | 'CRC32C' | 'CRC64NVME' | 'SHA1' | 'SHA256' | 'MD5' | 'SHA512' | 'XXHASH64' | 'XXHASH3' | 'XXHASH128';

export type ChecksumType = 'COMPOSITE' | 'FULL_OBJECT';

export type CrcAlgorithm = 'CRC32' | 'CRC32C' | 'CRC64NVME';

export const CHECKSUM_ALGORITHMS: readonly ChecksumAlgorithm[] = Object.freeze([
  'CRC32', 'CRC32C', 'CRC64NVME', 'SHA1', 'SHA256', 'MD5', 'SHA512', 'XXHASH64', 'XXHASH3', 'XXHASH128',
] as const);

/** Digest size in bytes (the decoded length of a valid checksum value). */
const DIGEST_BYTES: Readonly<Record<ChecksumAlgorithm, number>> = {
  CRC32: 4, CRC32C: 4, CRC64NVME: 8, SHA1: 20, SHA256: 32, MD5: 16, SHA512: 64,
  XXHASH64: 8, XXHASH3: 8, XXHASH128: 16,
};

const BY_UPPER = new Map<string, ChecksumAlgorithm>(CHECKSUM_ALGORITHMS.map((a) => [a, a]));

/** The input/output member name: 'ChecksumCRC32', 'ChecksumXXHASH128', ... */
export function checksumMember(a: ChecksumAlgorithm): string {
  return `Checksum${a}`;
}

/** The header: 'x-amz-checksum-crc32', 'x-amz-checksum-xxhash128', ... */
export function checksumHeader(a: ChecksumAlgorithm): string {
  return `x-amz-checksum-${a.toLowerCase()}`;
}

/** Parses an algorithm name as a client sends it (case-insensitive); undefined if unknown. */
export function parseAlgorithm(s: string): ChecksumAlgorithm | undefined {
  return BY_UPPER.get(s.trim().toUpperCase());
}

/** Digest size in bytes of an algorithm. */
export function digestLength(a: ChecksumAlgorithm): number {
  return DIGEST_BYTES[a];
}

const BASE64 = /^[A-Za-z0-9+/]*={0,2}$/;

/**
 * Whether `value` is a well-formed checksum of algorithm `a` as a client may send it: canonical
 * base64 that decodes to exactly the digest length (no "-N" suffix).
 */
export function isValidChecksumValue(a: ChecksumAlgorithm, value: string): boolean {
  if (value.length % 4 !== 0 || !BASE64.test(value)) return false;
  const raw = Buffer.from(value, 'base64');
  return raw.length === DIGEST_BYTES[a] && raw.toString('base64') === value;
}

export interface Hasher {
  update(chunk: Buffer): void;
  /** The raw digest (CRCs big-endian, as S3 encodes them). A hasher digests once. */
  digest(): Buffer;
}

// ---- implementations ----

class NodeHasher implements Hasher {
  private readonly h: Hash;
  private done = false;
  constructor(alg: string) {
    this.h = createHash(alg);
  }
  update(chunk: Buffer): void {
    if (this.done) throw new Error('checksum hasher already digested');
    this.h.update(chunk);
  }
  digest(): Buffer {
    if (this.done) throw new Error('checksum hasher already digested');
    this.done = true;
    return this.h.digest();
  }
}

type ZlibCrc32 = (data: Uint8Array, value?: number) => number;
const zlibCrc32: ZlibCrc32 | undefined = typeof (zlib as { crc32?: unknown }).crc32 === 'function'
  ? (zlib as unknown as { crc32: ZlibCrc32 }).crc32
  : undefined;

class ZlibCrc32Hasher implements Hasher {
  private crc = 0;
  private done = false;
  constructor(private readonly crc32: ZlibCrc32) {}
  update(chunk: Buffer): void {
    if (this.done) throw new Error('checksum hasher already digested');
    this.crc = this.crc32(chunk, this.crc);
  }
  digest(): Buffer {
    if (this.done) throw new Error('checksum hasher already digested');
    this.done = true;
    const out = Buffer.alloc(4);
    out.writeUInt32BE(this.crc >>> 0);
    return out;
  }
}

/** One hash-wasm instance, shared by every hasher of its algorithm (see the module comment). */
class WasmEngine {
  owner: WasmHasher | null = null;
  constructor(readonly wasm: IHasher) {}

  /** Makes `h`'s state the instance's, saving the previous owner's. */
  acquire(h: WasmHasher): void {
    if (this.owner === h) return;
    if (this.owner) this.owner.state = this.wasm.save();
    if (h.state) this.wasm.load(h.state);
    else this.wasm.init();
    h.state = null;
    this.owner = h;
  }
}

class WasmHasher implements Hasher {
  /** Saved state while another hasher holds the instance; null when fresh or while holding it. */
  state: Uint8Array | null = null;
  private done = false;
  constructor(private readonly engine: WasmEngine) {}
  update(chunk: Buffer): void {
    if (this.done) throw new Error('checksum hasher already digested');
    this.engine.acquire(this);
    this.engine.wasm.update(chunk);
  }
  digest(): Buffer {
    if (this.done) throw new Error('checksum hasher already digested');
    this.done = true;
    this.engine.acquire(this);
    this.engine.owner = null;
    const d = this.engine.wasm.digest('binary');
    return Buffer.from(d.buffer, d.byteOffset, d.byteLength);
  }
}

/** Reflected polynomials (hash-wasm takes the reversed form, like zlib). */
const CRC32C_POLY = 0x82f63b78;
const CRC64NVME_POLY = '9a6c9329ac4bc9b5';

const [wasmCrc32, wasmCrc32c, wasmCrc64, wasmXxh64, wasmXxh3, wasmXxh128] = await Promise.all([
  createCRC32(), createCRC32(CRC32C_POLY), createCRC64(CRC64NVME_POLY),
  createXXHash64(), createXXHash3(), createXXHash128(),
]);
const ENGINES = {
  CRC32: new WasmEngine(wasmCrc32),
  CRC32C: new WasmEngine(wasmCrc32c),
  CRC64NVME: new WasmEngine(wasmCrc64),
  XXHASH64: new WasmEngine(wasmXxh64),
  XXHASH3: new WasmEngine(wasmXxh3),
  XXHASH128: new WasmEngine(wasmXxh128),
} as const;

/** A fresh streaming hasher. Synchronous: the WebAssembly is instantiated at module load. */
export function createHasher(a: ChecksumAlgorithm): Hasher {
  switch (a) {
    case 'SHA1': return new NodeHasher('sha1');
    case 'SHA256': return new NodeHasher('sha256');
    case 'SHA512': return new NodeHasher('sha512');
    case 'MD5': return new NodeHasher('md5');
    case 'CRC32': return zlibCrc32 ? new ZlibCrc32Hasher(zlibCrc32) : new WasmHasher(ENGINES.CRC32);
    case 'CRC32C':
    case 'CRC64NVME':
    case 'XXHASH64':
    case 'XXHASH3':
    case 'XXHASH128':
      return new WasmHasher(ENGINES[a]);
    default:
      throw new TypeError(`unknown checksum algorithm ${String(a)}`);
  }
}

/** base64 of the digest, as S3 reports checksums. */
export function checksumOf(a: ChecksumAlgorithm, data: Buffer): string {
  const h = createHasher(a);
  h.update(data);
  return h.digest().toString('base64');
}

// ---- streams ----

export type HashingStream = Transform & {
  /** hex MD5 of everything that passed (the single-part ETag); readable once the stream flushed. */
  readonly md5Hex: string;
  /** base64 checksum per requested algorithm; readable once the stream flushed. */
  readonly checksums: Partial<Record<ChecksumAlgorithm, string>>;
  /** Bytes that passed so far (live while streaming, final after 'end'). */
  readonly bytes: number;
};

class HashingTransform extends Transform {
  private readonly md5: Hasher;
  private readonly hashers: Array<[ChecksumAlgorithm, Hasher]>;
  private all: Hasher[];
  private count = 0;
  private md5Result: string | undefined;
  private results: Partial<Record<ChecksumAlgorithm, string>> | undefined;

  constructor(algorithms: ChecksumAlgorithm[]) {
    super();
    this.md5 = createHasher('MD5');
    const wanted = [...new Set(algorithms)];
    for (const a of wanted) if (!BY_UPPER.has(a)) throw new TypeError(`unknown checksum algorithm ${String(a)}`);
    // A requested MD5 checksum shares the ETag's hasher.
    this.hashers = wanted.map((a) => [a, a === 'MD5' ? this.md5 : createHasher(a)]);
    this.all = [this.md5, ...this.hashers.filter(([a]) => a !== 'MD5').map(([, h]) => h)];
  }

  override _transform(chunk: Buffer, _enc: BufferEncoding, done: TransformCallback): void {
    for (const h of this.all) h.update(chunk);
    this.count += chunk.length;
    done(null, chunk);
  }

  override _flush(done: TransformCallback): void {
    const md5 = this.md5.digest();
    const results: Partial<Record<ChecksumAlgorithm, string>> = {};
    for (const [a, h] of this.hashers) results[a] = (a === 'MD5' ? md5 : h.digest()).toString('base64');
    this.md5Result = md5.toString('hex');
    this.results = results;
    this.all = [];
    done();
  }

  get md5Hex(): string {
    if (this.md5Result === undefined) throw new Error('hashingStream: md5Hex read before the stream ended');
    return this.md5Result;
  }

  get checksums(): Partial<Record<ChecksumAlgorithm, string>> {
    if (this.results === undefined) throw new Error('hashingStream: checksums read before the stream ended');
    return this.results;
  }

  get bytes(): number {
    return this.count;
  }
}

/**
 * A pass-through Transform that feeds every chunk to the hashers of `algorithms` and always to
 * MD5 (for the ETag). `.md5Hex` and `.checksums` are set when the stream flushes (before 'end';
 * reading them earlier throws); `.bytes` counts as data passes.
 */
export function hashingStream(algorithms: ChecksumAlgorithm[]): HashingStream {
  return new HashingTransform(algorithms);
}

// ---- multipart ----

function decodeChecksum(a: ChecksumAlgorithm, value: string): Buffer {
  if (!isValidChecksumValue(a, value)) {
    throw new RangeError(`not a base64 ${a} checksum (${DIGEST_BYTES[a]} bytes): ${JSON.stringify(value)}`);
  }
  return Buffer.from(value, 'base64');
}

/**
 * COMPOSITE checksum of a multipart object: the algorithm over the concatenated raw part
 * digests, base64, suffixed "-N" (N = number of parts).
 */
export function compositeChecksum(a: ChecksumAlgorithm, partChecksumsBase64: string[]): string {
  const raw = Buffer.concat(partChecksumsBase64.map((p) => decodeChecksum(a, p)));
  return `${checksumOf(a, raw)}-${partChecksumsBase64.length}`;
}

/**
 * CRC combination (zlib's crc32_combine, generalised to any reflected CRC whose init equals its
 * xorout, as CRC32, CRC32C and CRC64NVME do): crc(A‖B) = (crc(A)·x^(8·|B|) mod P) ⊕ crc(B),
 * in the bit-reflected representation. BigInt, so one code path serves 32 and 64 bits; the
 * x^(8·n) factors are cached per part size, and parts are mostly of one size.
 */
class CrcCombiner {
  private readonly top: bigint;
  /** x^(2^k) mod P, k = 0..63. */
  private readonly x2k: bigint[] = [];

  constructor(private readonly width: number, private readonly poly: bigint) {
    this.top = 1n << BigInt(width - 1);
    let p = this.top >> 1n; // x^1
    for (let k = 0; k < 64; k++) {
      this.x2k.push(p);
      p = this.mulmod(p, p);
    }
  }

  /** a·b mod P (a, b reflected). */
  mulmod(a: bigint, b: bigint): bigint {
    let m = this.top;
    let p = 0n;
    while (a !== 0n && m !== 0n) {
      if (a & m) {
        p ^= b;
        a ^= m;
      }
      m >>= 1n;
      b = b & 1n ? (b >> 1n) ^ this.poly : b >> 1n;
    }
    return p;
  }

  /** x^(8·bytes) mod P. */
  shiftFactor(bytes: number): bigint {
    let p = this.top; // x^0
    let n = bytes;
    let k = 3; // x^(8n) = x^(n·2^3)
    while (n > 0) {
      if (n % 2 === 1) p = this.mulmod(this.x2k[k % 64]!, p);
      n = Math.floor(n / 2);
      k++;
    }
    return p;
  }

  get bytes(): number {
    return this.width / 8;
  }
}

const COMBINERS: Record<CrcAlgorithm, CrcCombiner> = {
  CRC32: new CrcCombiner(32, 0xedb88320n),
  CRC32C: new CrcCombiner(32, BigInt(CRC32C_POLY)),
  CRC64NVME: new CrcCombiner(64, BigInt(`0x${CRC64NVME_POLY}`)),
};

/**
 * FULL_OBJECT checksum of a multipart object from its parts' CRCs and sizes, without rereading
 * data: the CRC of the concatenated parts, base64, no suffix.
 */
export function combineCrc(a: CrcAlgorithm, parts: Array<{ checksumBase64: string; size: number }>): string {
  const c = COMBINERS[a];
  if (!c) throw new TypeError(`combineCrc: ${String(a)} is not a CRC algorithm`);
  const factors = new Map<number, bigint>();
  let crc = 0n; // the CRC of no bytes, as init == xorout
  for (const { checksumBase64, size } of parts) {
    if (!Number.isSafeInteger(size) || size < 0) throw new RangeError(`combineCrc: bad part size ${size}`);
    const raw = decodeChecksum(a, checksumBase64);
    const part = c.bytes === 4 ? BigInt(raw.readUInt32BE(0)) : raw.readBigUInt64BE(0);
    let f = factors.get(size);
    if (f === undefined) factors.set(size, (f = c.shiftFactor(size)));
    crc = c.mulmod(f, crc) ^ part;
  }
  const out = Buffer.alloc(c.bytes);
  if (c.bytes === 4) out.writeUInt32BE(Number(crc));
  else out.writeBigUInt64BE(crc);
  return out.toString('base64');
}

/**
 * The checksum types an algorithm supports for multipart uploads; the first is the type S3 uses
 * when CreateMultipartUpload names the algorithm but no x-amz-checksum-type.
 *
 * CRC32 and CRC32C: COMPOSITE (default) or FULL_OBJECT; CRC64NVME: FULL_OBJECT only; SHA1 and
 * SHA256: COMPOSITE only. These are as the S3 User Guide ("Checking object integrity in Amazon
 * S3", multipart section) states them.
 *
 * SHA512, MD5, XXHASH64, XXHASH3, XXHASH128: the copy of the User Guide the docs search found
 * lists MD5 among the algorithms, with a note that for multipart uploads a full-object MD5 "isn't
 * possible during uploads" (only Batch Operations' Compute checksum produces one), and gives no
 * multipart table for SHA512 or the xxHashes. The API reference (ObjectPart, CompletedPart,
 * CopyPartResult) has ChecksumMD5/SHA512/XXHASH* per part "if the multipart upload request was
 * created with the ... checksum algorithm", so multipart uploads accept them. Not CRCs, so they
 * cannot be combined into a full-object value from parts: COMPOSITE only. That last step is an
 * inference, not a documented table: revisit if AWS documents otherwise.
 */
export function supportedTypes(a: ChecksumAlgorithm): ChecksumType[] {
  switch (a) {
    case 'CRC32':
    case 'CRC32C':
      return ['COMPOSITE', 'FULL_OBJECT'];
    case 'CRC64NVME':
      return ['FULL_OBJECT'];
    default:
      return ['COMPOSITE'];
  }
}

/** S3's multipart ETag: the MD5 of the concatenated binary part MD5s, hex, then '-' and N. */
export function multipartEtag(partMd5Hex: string[]): string {
  const h = createHash('md5');
  for (const p of partMd5Hex) {
    const hex = p.replace(/^"|"$/g, '');
    if (!/^[0-9a-fA-F]{32}$/.test(hex)) throw new RangeError(`multipartEtag: not an MD5: ${JSON.stringify(p)}`);
    h.update(Buffer.from(hex, 'hex'));
  }
  return `${h.digest('hex')}-${partMd5Hex.length}`;
}
