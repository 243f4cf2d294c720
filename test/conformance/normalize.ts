/**
 * The documented normalisations between what a client was given and what cloudlet decoded
 * (request direction), or between what cloudlet encoded and what the client returned (response
 * direction). Each one is something the client does on purpose; nothing here hides a codec bug.
 */
import { createHash } from 'node:crypto';
import type { ServiceModel } from '../../src/protocol/models.js';
import type { RawModel, Shape } from '../../src/protocol/model-types.js';
import { canonical } from './compare.js';
import type { Client } from './report.js';

export interface Normalisation {
  id: string;
  applies: string;
  rule: string;
}

/**
 * Ties between members that the model does not state but a client enforces; applied to the
 * generated input before it is sent.
 */
export const INPUT_FIXUPS: readonly Normalisation[] = [
  { id: 'checksum-mode', applies: 'S3 inputs, both clients',
    rule: 'ChecksumMode is never set: with it the client validates the response checksum headers against the body, and generated outputs carry arbitrary checksum values' },
  { id: 'checksum-algorithm', applies: 'S3 inputs, both clients',
    rule: 'ChecksumAlgorithm is one the client implements (JS SDK: CRC32, CRC32C, SHA1, SHA256; botocore without awscrt: CRC32, SHA1, SHA256): the client computes the checksum itself and refuses algorithms it lacks' },
  { id: 'encoding-type', applies: 'S3 ListObjects / ListObjectsV2 / ListObjectVersions / ListMultipartUploads, botocore',
    rule: 'EncodingType is set (url) when the sample leaves it out: otherwise botocore adds it and URL-decodes keys in the answer, expecting S3 to have encoded them (the S3 handler\'s job, not the codec\'s)' },
];

const CLIENT_CHECKSUMS: Record<Client, string[]> = {
  'sdk-js-v3': ['CRC32', 'CRC32C', 'SHA1', 'SHA256'],
  botocore: ['CRC32', 'SHA1', 'SHA256'],
};

const LIST_OBJECTS = new Set(['ListObjects', 'ListObjectsV2', 'ListObjectVersions', 'ListMultipartUploads']);

export function fixInput(model: ServiceModel, client: Client, input: Record<string, unknown>, operation = ''): Record<string, unknown> {
  if (model.metadata.serviceId !== 'S3') return input;
  const out = { ...input };
  delete out.ChecksumMode;
  if (client === 'botocore' && LIST_OBJECTS.has(operation) && out.EncodingType === undefined) out.EncodingType = 'url';
  const algo = out.ChecksumAlgorithm;
  if (typeof algo === 'string' && !CLIENT_CHECKSUMS[client].includes(algo)) {
    const options = CLIENT_CHECKSUMS[client];
    out.ChecksumAlgorithm = options[algo.length % options.length];
  }
  return out;
}

export const OUTPUT_FIXUPS: readonly Normalisation[] = [
  { id: 'console-output', applies: 'EC2 GetConsoleOutput outputs',
    rule: 'Output is base64 of ASCII text, as EC2 sends it: botocore base64-decodes it on reading' },
];

export function fixOutput(model: ServiceModel, operation: string, output: Record<string, unknown>): Record<string, unknown> {
  if (model.metadata.serviceId === 'EC2' && operation === 'GetConsoleOutput' && typeof output.Output === 'string') {
    const text = output.Output.replace(/[^\x20-\x7e\n]/g, '?');
    return { ...output, Output: Buffer.from(text, 'utf8').toString('base64') };
  }
  return output;
}

export const NORMALISATIONS: readonly Normalisation[] = [
  { id: 'idempotency-token', applies: 'request, both clients',
    rule: 'a member with the idempotencyToken trait (in cloudlet\'s model or the client\'s) that the caller left out is filled in by the client (a UUID); it is dropped from the decoded input before comparing' },
  { id: 'console-output', applies: 'response, EC2 GetConsoleOutput, botocore',
    rule: 'botocore base64-decodes Output; the expected value is the decoded text' },
  { id: 'user-data', applies: 'request, EC2 RunInstances / AutoScaling CreateLaunchConfiguration UserData, botocore',
    rule: 'botocore base64-encodes UserData before sending; the expected value is that encoding' },
  { id: 'iam-policy-json', applies: 'response, IAM, botocore',
    rule: 'botocore URL-decodes and JSON-parses every policyDocumentType string it reads (keeping the text when that fails); the expected value goes through the same decoding' },
  { id: 'botocore-presigned-copy', applies: 'request, EC2 CopySnapshot, botocore',
    rule: 'without a PresignedUrl, botocore computes one and sets DestinationRegion to the client\'s region, overriding the caller\'s' },
  { id: 'presigned-copy', applies: 'request, EC2 CopySnapshot, JS SDK',
    rule: 'PresignedUrl and DestinationRegion the caller left out are computed by the SDK; dropped' },
  { id: 'checksums', applies: 'request, S3, both clients',
    rule: 'checksum members the caller did not give (ChecksumAlgorithm, ChecksumCRC32/CRC32C/CRC64NVME/SHA1/SHA256, ContentMD5) are computed and added by the client; dropped from the decoded input' },
  { id: 'sse-c', applies: 'request, S3, both clients',
    rule: 'the model types the SSE-C key as a string; the JS SDK always sends it base64-encoded with its MD5 in *KeyMD5, botocore does the same on the nine operations it has the handler for, unless *KeyMD5 was given (then both go as passed); the expected members are what the client sent' },
  { id: 'content-length', applies: 'request, S3, both clients',
    rule: 'ContentLength the caller did not give is the body length the client computes and sends; dropped from the decoded input' },
  { id: 'content-type', applies: 'request, S3 operations with a streaming Body, JS SDK',
    rule: 'a ContentType the caller did not give arrives as application/octet-stream, the SDK\'s default for bodies; dropped' },
  { id: 'streams', applies: 'both directions, streaming payloads (S3 Body)',
    rule: 'a streaming member is read to its bytes before comparing, and an absent one equals zero bytes: a request always has a body (possibly empty) and the client always hands back a body stream' },
  { id: 'expires-string', applies: 'response, S3 GetObject / HeadObject, both clients',
    rule: 'when an Expires header is present, ExpiresString is its text (the clients fill it from there and ignore the model\'s ExpiresString header)' },
  { id: 'prefix-headers', applies: 'response, `headers` maps (S3 Metadata)',
    rule: 'an absent map equals {}: the client always creates the map' },
  { id: 'model-skew', applies: 'both directions, both clients',
    rule: "members of cloudlet's model that the client's own (newer) model lacks, or binds to another header, are left out before the client sees them and listed as skew; operations only one side has are listed, not run" },
  { id: 'botocore-none', applies: 'response, botocore',
    rule: 'None (what botocore customisations such as GetBucketLocation put for a missing value) equals absent' },
  { id: 'rpcv2-request-id', applies: 'response, rpc-v2-cbor operations without an output shape, botocore',
    rule: "botocore's RPC v2 parser returns no ResponseMetadata for them, so their request id is not compared" },
  { id: 'shared-error-code', applies: 'errors, JS SDK',
    rule: 'when the client models two errors with one wire code (CloudWatch ResourceNotFound / DashboardNotFoundError), either name is right' },
  { id: 'type-skew', applies: 'response, members the client types differently from cloudlet\'s model',
    rule: 'numbers and booleans the client models as strings are compared as their text; other type changes are left out of the comparison (and listed as skew)' },
];

/** Members a client computes for particular operations. */
const CLIENT_ADDED: Record<string, string[]> = {
  // The JS SDK presigns a CopySnapshot URL for the source region (middleware-sdk-ec2).
  'EC2:CopySnapshot': ['PresignedUrl', 'DestinationRegion'],
};

/** The region every test client is configured with. */
const REGION = 'us-east-1';

/** botocore's base64_encode_user_data handler. */
const BASE64_USER_DATA = new Set(['EC2:RunInstances', 'Auto Scaling:CreateLaunchConfiguration']);

const CHECKSUM_MEMBERS = new Set(['ChecksumAlgorithm', 'ChecksumCRC32', 'ChecksumCRC32C', 'ChecksumCRC64NVME', 'ChecksumSHA1', 'ChecksumSHA256', 'ContentMD5']);

function topMembers(model: ServiceModel, ref: Shape | undefined): Record<string, Shape> {
  if (!ref) return {};
  const s = model.resolve(ref);
  return Object.fromEntries(Object.entries(s.members ?? {}).map(([k, r]) => [k, model.resolve(r)]));
}

/** [expected, actual] for the request direction. */
export function normaliseRequest(
  model: ServiceModel, operation: string, client: Client, sent: Record<string, unknown>, decoded: Record<string, unknown>,
  /** Top-level members the client's own model marks as idempotency tokens. */
  clientTokens: string[] = [],
): [Record<string, unknown>, Record<string, unknown>] {
  const op = model.operation(operation)!;
  const members = topMembers(model, op.input);
  const expected = canonical(sent) as Record<string, unknown>;
  const actual = canonical(decoded) as Record<string, unknown>;
  for (const [name, m] of Object.entries(members)) {
    if ((m.idempotencyToken || clientTokens.includes(name)) && !(name in expected)) delete actual[name];
  }
  if (client === 'botocore' && operation === 'CopySnapshot' && model.metadata.serviceId === 'EC2' && !('PresignedUrl' in expected)) {
    expected.DestinationRegion = REGION;
  }
  for (const name of CLIENT_ADDED[`${model.metadata.serviceId}:${operation}`] ?? []) if (!(name in expected)) delete actual[name];
  if (client === 'botocore' && BASE64_USER_DATA.has(`${model.metadata.serviceId}:${operation}`) && typeof expected.UserData === 'string') {
    expected.UserData = Buffer.from(expected.UserData, 'utf8').toString('base64');
  }
  streamingAbsentIsEmpty(members, expected, actual);
  if (model.metadata.serviceId === 'S3') {
    for (const name of CHECKSUM_MEMBERS) if (!(name in expected)) delete actual[name];
    if (!('ContentLength' in expected)) delete actual.ContentLength;
    if (!('ContentType' in expected) && actual.ContentType === 'application/octet-stream' && members.Body?.streaming) delete actual.ContentType;
    // The model types the key as a (sensitive) string; both clients put it on the wire base64
    // encoded, with the MD5 they compute. botocore does so only for the operations it registers
    // the handler on, and only when no MD5 was given: otherwise it sends key and MD5 exactly as
    // passed (botocore.handlers._sse_md5).
    for (const prefix of ['SSECustomer', 'CopySourceSSECustomer']) {
      const key = expected[`${prefix}Key`];
      const md5 = `${prefix}KeyMD5`;
      if (key === undefined) continue;
      if (client === 'botocore' && (md5 in expected || !BOTOCORE_SSE_OPS.has(operation))) continue;
      const bytes = Buffer.isBuffer(key) ? key : Buffer.from(String(key), 'utf8');
      if (typeof key === 'string') expected[`${prefix}Key`] = bytes.toString('base64');
      if (md5 in members) expected[md5] = createHash('md5').update(bytes).digest('base64');
    }
  }
  return [expected, actual];
}

/** Where botocore registers its SSE-C handler (botocore.handlers BUILTIN_HANDLERS). */
const BOTOCORE_SSE_OPS = new Set(['HeadObject', 'GetObject', 'PutObject', 'CopyObject', 'CreateMultipartUpload', 'UploadPart',
  'UploadPartCopy', 'CompleteMultipartUpload', 'SelectObjectContent']);

function streamingAbsentIsEmpty(members: Record<string, Shape>, expected: Record<string, unknown>, actual: Record<string, unknown>): void {
  for (const [name, m] of Object.entries(members)) {
    if (!m.streaming) continue;
    const empty = (v: unknown) => v === undefined || (v instanceof Uint8Array && v.length === 0);
    if (empty(expected[name]) && empty(actual[name])) {
      delete expected[name];
      delete actual[name];
    }
  }
}

/** [expected, actual] for the response direction. */
export function normaliseResponse(
  model: ServiceModel, operation: string, client: Client, encoded: Record<string, unknown>, read: Record<string, unknown>,
  /** The output as generated, before pruning to the client's model. */
  generated: Record<string, unknown> = encoded,
): [Record<string, unknown>, Record<string, unknown>] {
  const op = model.operation(operation)!;
  const members = topMembers(model, op.output);
  const expected = canonical(encoded) as Record<string, unknown>;
  const actual = canonical(read) as Record<string, unknown>;
  streamingAbsentIsEmpty(members, expected, actual);
  if (client === 'botocore' && model.metadata.serviceId === 'EC2' && operation === 'GetConsoleOutput' && typeof expected.Output === 'string') {
    expected.Output = Buffer.from(expected.Output, 'base64').toString('utf8');
  }
  if (model.metadata.serviceId === 'S3' && generated.Expires instanceof Date) {
    // Both clients add ExpiresString (the Expires header's text) whether or not the model has it.
    if (members.ExpiresString) expected.ExpiresString = generated.Expires.toUTCString();
    else delete actual.ExpiresString;
  }
  for (const [name, m] of Object.entries(members)) {
    if (m.location !== 'headers') continue;
    const isEmpty = (v: unknown) => v === undefined || (typeof v === 'object' && v !== null && Object.keys(v).length === 0);
    if (isEmpty(expected[name]) && isEmpty(actual[name])) {
      delete expected[name];
      delete actual[name];
    }
  }
  return [expected, actual];
}

/** Removes the member at a pruned path (dot / [index] / ["key"] segments) from a value. */
export function removePath(value: unknown, path: string): void {
  const segs = [...path.matchAll(/([^.[\]]+)|\[(\d+)\]|\[("(?:[^"\\]|\\.)*")\]/g)].map((m) => m[1] ?? (m[2] !== undefined ? Number(m[2]) : JSON.parse(m[3]!) as string));
  let cur: unknown = value;
  for (let i = 0; i < segs.length - 1; i++) {
    if (cur === null || typeof cur !== 'object') return;
    cur = (cur as Record<string | number, unknown>)[segs[i]!];
  }
  if (cur !== null && typeof cur === 'object') delete (cur as Record<string | number, unknown>)[segs[segs.length - 1]!];
}

/** Python's urllib.parse.unquote: %XX sequences as UTF-8, invalid bytes replaced. */
function pyUnquote(s: string): string {
  return s.replace(/(?:%[0-9a-fA-F]{2})+/g, (run) => Buffer.from(run.replace(/%/g, ''), 'hex').toString('utf8'));
}

/** What botocore's json_decode_policies makes of the policy documents in an IAM output. */
export function decodePolicies(raw: RawModel, operation: string, value: Record<string, unknown>): Record<string, unknown> {
  const op = raw.operations[operation];
  if (!op?.output) return value;
  const resolve = (ref: Shape): Shape => (ref.shape ? { ...raw.shapes[ref.shape]!, ...ref } : ref);
  const walk = (ref: Shape, v: unknown): unknown => {
    const s = resolve(ref);
    if (s.type === 'structure' && v && typeof v === 'object') {
      const out: Record<string, unknown> = { ...(v as Record<string, unknown>) };
      for (const [name, m] of Object.entries(s.members ?? {})) {
        if (!(name in out)) continue;
        if (m.shape === 'policyDocumentType' && typeof out[name] === 'string') {
          try {
            out[name] = JSON.parse(pyUnquote(out[name] as string));
          } catch {
            // botocore keeps the text when it is not JSON
          }
        } else out[name] = walk(m, out[name]);
      }
      return out;
    }
    if (s.type === 'list' && Array.isArray(v) && s.member) return v.map((x) => walk(s.member!, x));
    return v;
  };
  return walk(op.output, value) as Record<string, unknown>;
}
