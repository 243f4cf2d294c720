/**
 * CompleteMultipartUpload's rules, as a pure step over the upload's stored parts and the request's
 * part list: which parts make the object, its ETag, size and checksum, and S3's refusals
 * (MalformedXML, InvalidArgument, InvalidPartOrder, InvalidPart, EntityTooSmall, checksum
 * mismatches). No store access: the handler reads the rows and commits what this returns.
 */
import type { CompletedPart } from '@aws-sdk/client-s3';
import { AwsError } from '../../core/errors.js';
import {
  CHECKSUM_ALGORITHMS, checksumMember, combineCrc, compositeChecksum, multipartEtag, type ChecksumAlgorithm, type CrcAlgorithm,
} from './checksums.js';
import type { PartRecord, StoredChecksum, UploadRecord } from './records.js';

/** Every part but the last must hold at least this many bytes. */
export const MIN_PART_BYTES = 5 * 1024 * 1024;
export const MAX_PARTS = 10_000;

/** The checksum an upload's object gets: the one named at Create, else CRC64NVME FULL_OBJECT. */
export function uploadChecksum(u: Pick<UploadRecord, 'checksumAlgorithm' | 'checksumType'>): { algorithm: ChecksumAlgorithm; type: 'FULL_OBJECT' | 'COMPOSITE'; explicit: boolean } {
  return { algorithm: u.checksumAlgorithm ?? 'CRC64NVME', type: u.checksumType ?? 'FULL_OBJECT', explicit: u.checksumAlgorithm !== undefined };
}

/** A part number as UploadPart, UploadPartCopy and Complete accept it: an integer 1..10000. */
export function checkPartNumber(n: number | undefined): number {
  if (n === undefined || !Number.isInteger(n) || n < 1 || n > MAX_PARTS) {
    throw new AwsError('InvalidArgument', 'Part number must be an integer between 1 and 10000, inclusive', 400, {
      fields: { ArgumentName: 'partNumber', ArgumentValue: String(n ?? '') },
    });
  }
  return n;
}

const unquote = (etag: string): string => etag.trim().replace(/^"|"$/g, '').toLowerCase();

const malformed = (): AwsError =>
  new AwsError('MalformedXML', 'The XML you provided was not well-formed or did not validate against our published schema', 400);

const invalidPart = (uploadId: string, p: CompletedPart): AwsError =>
  new AwsError('InvalidPart', "One or more of the specified parts could not be found.  The part may not have been uploaded, or the specified entity tag may not match the part's entity tag.", 400, {
    fields: { UploadId: uploadId, PartNumber: String(p.PartNumber), ETag: p.ETag ?? '' },
  });

/** What the request says about the whole object (the Complete request's headers). */
export interface CompletionClaims {
  checksumType?: string;
  /** x-amz-checksum-* of the whole object. */
  checksums?: Partial<Record<ChecksumAlgorithm, string>>;
  /** x-amz-mp-object-size. */
  objectSize?: number;
}

export interface Completion {
  /** The parts that make the object, in order. */
  parts: PartRecord[];
  /** Blobs of stored parts the request did not name: delete after the commit. */
  unused: string[];
  /** Quoted, as S3 sends it. */
  etag: string;
  size: number;
  checksum: StoredChecksum;
}

/** The checksum values a CompletedPart (or a request's members) carries, by algorithm. */
export function checksumsIn(o: object): Partial<Record<ChecksumAlgorithm, string>> {
  const out: Partial<Record<ChecksumAlgorithm, string>> = {};
  for (const a of CHECKSUM_ALGORITHMS) {
    const v = (o as Record<string, unknown>)[checksumMember(a)];
    if (typeof v === 'string') out[a] = v;
  }
  return out;
}

/**
 * Checks a Complete request against the upload's parts and works out the object. `stored` is
 * every part row of the upload (any order).
 */
export function planCompletion(upload: UploadRecord, stored: PartRecord[], requested: CompletedPart[] | undefined, claims: CompletionClaims = {}): Completion {
  const list = requested ?? [];
  if (list.length === 0) throw malformed();
  if (list.length > MAX_PARTS) {
    throw new AwsError('InvalidArgument', 'Part number must be an integer between 1 and 10000, inclusive', 400, {
      fields: { ArgumentName: 'partNumber', ArgumentValue: String(list[MAX_PARTS]!.PartNumber ?? '') },
    });
  }
  let previous = 0;
  for (const p of list) {
    if (p.PartNumber === undefined || p.ETag === undefined) throw malformed();
    checkPartNumber(p.PartNumber);
    if (p.PartNumber <= previous) {
      throw new AwsError('InvalidPartOrder', 'The list of parts was not in ascending order. The parts list must be specified in order by part number.', 400, {
        fields: { UploadId: upload.uploadId },
      });
    }
    previous = p.PartNumber;
  }
  const { algorithm, type, explicit } = uploadChecksum(upload);
  const byNumber = new Map(stored.map((p) => [p.partNumber, p]));
  const parts: PartRecord[] = [];
  for (const p of list) {
    const part = byNumber.get(p.PartNumber!);
    if (!part || unquote(p.ETag!) !== part.md5.toLowerCase()) throw invalidPart(upload.uploadId, p);
    const given = checksumsIn(p);
    for (const [a, v] of Object.entries(given) as Array<[ChecksumAlgorithm, string]>) {
      if (part.checksums?.[a] !== v) throw invalidPart(upload.uploadId, p);
    }
    if (explicit && type === 'COMPOSITE' && given[algorithm] === undefined) {
      throw new AwsError('InvalidRequest', `The upload was created using a ${algorithm.toLowerCase()} checksum. The complete request must include the checksum for each part. It was missing for part ${p.PartNumber} in the request.`, 400);
    }
    parts.push(part);
  }
  for (let i = 0; i < parts.length - 1; i++) {
    if (parts[i]!.size < MIN_PART_BYTES) {
      throw new AwsError('EntityTooSmall', 'Your proposed upload is smaller than the minimum allowed object size.', 400, {
        fields: { ProposedSize: String(parts[i]!.size), MinSizeAllowed: String(MIN_PART_BYTES), PartNumber: String(parts[i]!.partNumber), ETag: parts[i]!.md5 },
      });
    }
  }
  const size = parts.reduce((n, p) => n + p.size, 0);
  if (claims.objectSize !== undefined && claims.objectSize !== size) {
    throw new AwsError('InvalidRequest', `The provided 'x-amz-mp-object-size' header value ${claims.objectSize} does not match what was computed: ${size}`, 400);
  }
  if (claims.checksumType !== undefined && claims.checksumType !== type) {
    throw new AwsError('InvalidRequest', `The upload was created using the ${type} checksum mode. The complete request must use the same checksum mode.`, 400);
  }
  const partSums = parts.map((p) => {
    const v = p.checksums?.[algorithm];
    if (v === undefined) throw new AwsError('InternalError', `Part ${p.partNumber} has no ${algorithm} checksum`, 500);
    return v;
  });
  const value = type === 'COMPOSITE'
    ? compositeChecksum(algorithm, partSums)
    : combineCrc(algorithm as CrcAlgorithm, parts.map((p, i) => ({ checksumBase64: partSums[i]!, size: p.size })));
  for (const [a, v] of Object.entries(claims.checksums ?? {}) as Array<[ChecksumAlgorithm, string]>) {
    if (a !== algorithm) {
      throw new AwsError('InvalidRequest', `The upload was created using a ${algorithm.toLowerCase()} checksum. The complete request must use the same checksum algorithm.`, 400);
    }
    // A COMPOSITE value may be given with or without its -N suffix.
    if (v !== value && `${v}-${parts.length}` !== value) {
      throw new AwsError('BadDigest', `The ${algorithm.toLowerCase()} you specified did not match the calculated checksum.`, 400);
    }
  }
  const chosen = new Set(parts.map((p) => p.partNumber));
  return {
    parts,
    unused: stored.filter((p) => !chosen.has(p.partNumber)).map((p) => p.blob),
    etag: `"${multipartEtag(parts.map((p) => p.md5))}"`,
    size,
    checksum: { algorithm, type, value, parts: partSums },
  };
}
