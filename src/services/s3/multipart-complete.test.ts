import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { describe, test } from 'node:test';
import type { CompletedPart } from '@aws-sdk/client-s3';
import { isAwsError } from '../../core/errors.js';
import { checksumOf } from './checksums.js';
import { MIN_PART_BYTES, checkPartNumber, planCompletion } from './multipart-complete.js';
import type { PartRecord, UploadRecord } from './records.js';

const upload = (u: Partial<UploadRecord> = {}): UploadRecord => ({
  key: 'k', uploadId: 'U', initiatedMs: 0, initiator: 'arn:aws:iam::111111111111:root', owner: '111111111111', storageClass: 'STANDARD', template: {}, ...u,
});

/** A stored part over `data` (its size may be claimed larger, to test the minimum without big buffers). */
function part(n: number, data: string, size = Buffer.byteLength(data)): PartRecord {
  const b = Buffer.from(data);
  return {
    partNumber: n, blob: `blob-${n}`, size, md5: createHash('md5').update(b).digest('hex'), lastModifiedMs: 0,
    checksums: { CRC32: checksumOf('CRC32', b), CRC64NVME: checksumOf('CRC64NVME', b), SHA256: checksumOf('SHA256', b) },
  };
}

const ref = (p: PartRecord, extra: Partial<CompletedPart> = {}): CompletedPart => ({ PartNumber: p.partNumber, ETag: `"${p.md5}"`, ...extra });

function refused(fn: () => unknown, code: string, message?: RegExp): void {
  assert.throws(fn, (err: unknown) => {
    assert.ok(isAwsError(err), String(err));
    assert.equal(err.code, code);
    if (message) assert.match(err.message, message);
    return true;
  });
}

describe('planCompletion', () => {
  const big = MIN_PART_BYTES;
  const p1 = part(1, 'one', big);
  const p2 = part(2, 'two', big);
  const p3 = part(3, 'three');

  test('the named parts in order make the object; the rest are unused', () => {
    const plan = planCompletion(upload(), [p3, p1, p2], [ref(p1), ref(p3)]);
    assert.deepEqual(plan.parts.map((p) => p.partNumber), [1, 3]);
    assert.deepEqual(plan.unused, ['blob-2']);
    assert.equal(plan.size, big + 5);
    const expected = createHash('md5').update(Buffer.concat([Buffer.from(p1.md5, 'hex'), Buffer.from(p3.md5, 'hex')])).digest('hex');
    assert.equal(plan.etag, `"${expected}-2"`);
    // No algorithm at Create: CRC64NVME FULL_OBJECT, with every part's CRC64NVME kept.
    assert.equal(plan.checksum.algorithm, 'CRC64NVME');
    assert.equal(plan.checksum.type, 'FULL_OBJECT');
    assert.deepEqual(plan.checksum.parts, [p1.checksums!.CRC64NVME, p3.checksums!.CRC64NVME]);
  });

  test('ETags match with or without quotes, in any case', () => {
    const plan = planCompletion(upload(), [p1, p3], [{ PartNumber: 1, ETag: p1.md5.toUpperCase() }, ref(p3)]);
    assert.equal(plan.parts.length, 2);
  });

  test('an empty list is MalformedXML; part numbers must be 1..10000 and strictly ascending', () => {
    refused(() => planCompletion(upload(), [p1], []), 'MalformedXML');
    refused(() => planCompletion(upload(), [p1], undefined), 'MalformedXML');
    refused(() => planCompletion(upload(), [p1], [{ PartNumber: 0, ETag: p1.md5 }]), 'InvalidArgument');
    refused(() => planCompletion(upload(), [p1], [{ PartNumber: 10_001, ETag: p1.md5 }]), 'InvalidArgument');
    refused(() => planCompletion(upload(), [p1, p2], [ref(p2), ref(p1)]), 'InvalidPartOrder');
    refused(() => planCompletion(upload(), [p1, p2], [ref(p1), ref(p1)]), 'InvalidPartOrder');
    assert.throws(() => checkPartNumber(1.5));
    assert.equal(checkPartNumber(10_000), 10_000);
  });

  test('a missing part or a wrong ETag is InvalidPart', () => {
    refused(() => planCompletion(upload(), [p1], [ref(p1), ref(p3)]), 'InvalidPart');
    refused(() => planCompletion(upload(), [p1, p3], [ref(p1), { PartNumber: 3, ETag: p2.md5 }]), 'InvalidPart');
  });

  test('every part but the last must hold 5 MiB', () => {
    const small = part(1, 'small', MIN_PART_BYTES - 1);
    refused(() => planCompletion(upload(), [small, p3], [ref(small), ref(p3)]), 'EntityTooSmall');
    // The last part, alone or not, may be any size.
    assert.equal(planCompletion(upload(), [small], [ref(small)]).size, MIN_PART_BYTES - 1);
  });

  test('COMPOSITE: the part checksums are required and checked; the value is the checksum of the checksums, -N', () => {
    const u = upload({ checksumAlgorithm: 'SHA256', checksumType: 'COMPOSITE' });
    refused(() => planCompletion(u, [p1, p3], [ref(p1), ref(p3)]), 'InvalidRequest', /missing for part 1/);
    refused(() => planCompletion(u, [p1, p3], [ref(p1, { ChecksumSHA256: p1.checksums!.SHA256 }), ref(p3, { ChecksumSHA256: p1.checksums!.SHA256 })]), 'InvalidPart');
    const plan = planCompletion(u, [p1, p3], [ref(p1, { ChecksumSHA256: p1.checksums!.SHA256 }), ref(p3, { ChecksumSHA256: p3.checksums!.SHA256 })]);
    const raw = Buffer.concat([p1, p3].map((p) => Buffer.from(p.checksums!.SHA256!, 'base64')));
    assert.equal(plan.checksum.value, `${createHash('sha256').update(raw).digest('base64')}-2`);
    assert.equal(plan.checksum.type, 'COMPOSITE');
  });

  test('FULL_OBJECT: the CRC of the whole object from the parts; the claimed value, type and size must agree', () => {
    const first = Buffer.alloc(MIN_PART_BYTES, 7);
    const a = partOf(1, first);
    const b = partOf(2, Buffer.from('the tail'));
    const whole = Buffer.concat([first, Buffer.from('the tail')]);
    for (const algorithm of ['CRC32', 'CRC64NVME'] as const) {
      const u = upload({ checksumAlgorithm: algorithm, checksumType: 'FULL_OBJECT' });
      const plan = planCompletion(u, [a, b], [ref(a), ref(b)], { checksums: { [algorithm]: checksumOf(algorithm, whole) }, objectSize: whole.length, checksumType: 'FULL_OBJECT' });
      assert.equal(plan.checksum.value, checksumOf(algorithm, whole));
      assert.deepEqual(plan.checksum.parts, [a.checksums![algorithm], b.checksums![algorithm]]);
    }
    const u = upload({ checksumAlgorithm: 'CRC32', checksumType: 'FULL_OBJECT' });
    refused(() => planCompletion(u, [a, b], [ref(a), ref(b)], { objectSize: whole.length - 1 }), 'InvalidRequest', /x-amz-mp-object-size/);
    refused(() => planCompletion(u, [a, b], [ref(a), ref(b)], { checksumType: 'COMPOSITE' }), 'InvalidRequest');
    refused(() => planCompletion(u, [a, b], [ref(a), ref(b)], { checksums: { CRC32: checksumOf('CRC32', first) } }), 'BadDigest');
    refused(() => planCompletion(u, [a, b], [ref(a), ref(b)], { checksums: { SHA256: checksumOf('SHA256', whole) } }), 'InvalidRequest');
  });
});

function partOf(n: number, b: Buffer): PartRecord {
  return {
    partNumber: n, blob: `blob-${n}`, size: b.length, md5: createHash('md5').update(b).digest('hex'), lastModifiedMs: 0,
    checksums: { CRC32: checksumOf('CRC32', b), CRC64NVME: checksumOf('CRC64NVME', b), SHA256: checksumOf('SHA256', b) },
  };
}
