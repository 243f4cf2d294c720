/**
 * DescribeImages: the caller's own images, the public catalog and images shared with it, one
 * list in ID order. Owners and ExecutableUsers scope it, Filters narrow it (every filter of
 * the EC2 API reference that applies), deprecated images of others are hidden unless asked
 * for (IncludeDeprecated) or named by ID, as AWS documents.
 */
import type { DescribeImagesRequest, DescribeImagesResult } from '@aws-sdk/client-ec2';
import { AwsError } from '../../../core/errors.js';
import { encodePageToken, type PageBinding } from '../../../core/page-token.js';
import { compareIds } from '../../../store/order.js';
import type { Handler, RequestContext } from '../../types.js';
import { bool, checkMaxResults, pagePosition } from '../describe.js';
import { applyFilters, withTagKeyFields, type Filter } from '../filters.js';
import { checkId } from '../ids.js';
import type { Tag } from '../tags.js';
import { catalogImages } from './images-catalog.js';
import {
  findImage, imageNotFound, imageShape, imageState, imageTags, isDeprecated, isoTime, isPublic, ownerAliasOf, sharedImages, type FoundImage,
} from './images-core.js';
import { COMPUTE_KIND, type ImageRecord } from './records.js';

interface Seen { f: FoundImage; tags: Tag[] }

const ACCOUNT_RE = /^\d{12}$/;

function checkUser(v: string, allowed: readonly string[]): void {
  if (allowed.includes(v) || ACCOUNT_RE.test(v)) return;
  throw new AwsError('InvalidUserID.Malformed', `Invalid user id: "${v}"`);
}

/** Every image the caller may see in its region. */
function visibleImages(ctx: RequestContext): FoundImage[] {
  const out: FoundImage[] = [];
  for (const r of ctx.tx.list<ImageRecord>(ctx.scope, COMPUTE_KIND.image)) {
    if (r.value.state !== 'deregistered') out.push({ image: r.value, scope: ctx.scope, own: true, catalog: false });
  }
  for (const c of catalogImages(ctx.region).values()) {
    out.push({ image: c.record, own: false, catalog: true, ...(c.ownerAlias ? { ownerAlias: c.ownerAlias } : {}) });
  }
  out.push(...sharedImages(ctx));
  return out;
}

function ownerMatches(ctx: RequestContext, f: FoundImage, owner: string): boolean {
  if (owner === 'self') return f.own;
  if (owner === 'amazon') return ownerAliasOf(f) === 'amazon';
  if (owner === 'aws-marketplace' || owner === 'aws-backup-vault') return ownerAliasOf(f) === owner;
  return f.image.ownerId === owner;
}

function executableBy(ctx: RequestContext, i: ImageRecord, user: string): boolean {
  if (user === 'all') return isPublic(i);
  return i.launchPermissions.includes(user === 'self' ? ctx.account : user);
}

const ebs = (i: ImageRecord) => i.blockDevices.filter((b) => b.ebs).map((b) => b.ebs!);

/** Filter name -> the image's value(s), every DescribeImages filter of the API reference. */
function fields(ctx: RequestContext, filters: readonly Filter[]): Record<string, (s: Seen) => string | string[] | undefined> {
  const now = ctx.clock.nowMs();
  const out: Record<string, (s: Seen) => string | string[] | undefined> = {
    architecture: (s) => s.f.image.architecture,
    'block-device-mapping.delete-on-termination': (s) => ebs(s.f.image).map((e) => bool(e.deleteOnTermination)),
    'block-device-mapping.device-name': (s) => s.f.image.blockDevices.map((b) => b.deviceName),
    'block-device-mapping.snapshot-id': (s) => ebs(s.f.image).flatMap((e) => (e.snapshotId ? [e.snapshotId] : [])),
    'block-device-mapping.volume-size': (s) => ebs(s.f.image).map((e) => String(e.volumeSize)),
    'block-device-mapping.volume-type': (s) => ebs(s.f.image).map((e) => e.volumeType),
    'block-device-mapping.encrypted': (s) => ebs(s.f.image).map((e) => bool(e.encrypted)),
    'boot-mode': (s) => s.f.image.bootMode,
    'creation-date': (s) => isoTime(s.f.image.createMs),
    'deprecation-time': (s) => (s.f.image.deprecationMs !== undefined ? isoTime(s.f.image.deprecationMs) : undefined),
    description: (s) => s.f.image.description,
    'ena-support': (s) => bool(s.f.image.enaSupport),
    'free-tier-eligible': (s) => bool(false),
    hypervisor: () => 'xen',
    'image-allowed': () => 'true',
    'image-id': (s) => s.f.image.id,
    'image-type': () => 'machine',
    'imds-support': (s) => s.f.image.imdsSupport,
    'is-public': (s) => bool(isPublic(s.f.image)),
    'kernel-id': () => undefined,
    'manifest-location': (s) => `${ownerAliasOf(s.f) ?? s.f.image.ownerId}/${s.f.image.name}`,
    name: (s) => s.f.image.name,
    'owner-alias': (s) => ownerAliasOf(s.f),
    'owner-id': (s) => s.f.image.ownerId,
    platform: (s) => s.f.image.platform,
    'platform-details': (s) => s.f.image.platformDetails,
    'product-code': () => undefined,
    'product-code.type': () => undefined,
    'ramdisk-id': () => undefined,
    'root-device-name': (s) => s.f.image.rootDeviceName,
    'root-device-type': (s) => s.f.image.rootDeviceType,
    'source-image-id': (s) => s.f.image.sourceImageId,
    'source-image-region': (s) => s.f.image.sourceRegion,
    'source-instance-id': (s) => s.f.image.sourceInstanceId,
    'sriov-net-support': () => 'simple',
    state: (s) => imageState(s.f.image, now),
    'state-reason-code': () => undefined,
    'state-reason-message': () => undefined,
    'usage-operation': (s) => s.f.image.usageOperation,
    'virtualization-type': (s) => s.f.image.virtualizationType,
    'tag-key': (s) => s.tags.map((t) => t.Key),
    'tag-value': (s) => s.tags.map((t) => t.Value),
  };
  return withTagKeyFields(out, filters, (s) => s.tags);
}

export const describeImages: Handler<DescribeImagesRequest, DescribeImagesResult> = (input, ctx) => {
  const ids = input.ImageIds ?? [];
  const owners = input.Owners ?? [];
  const users = input.ExecutableUsers ?? [];
  for (const o of owners) checkUser(o, ['self', 'amazon', 'aws-marketplace', 'aws-backup-vault']);
  for (const u of users) checkUser(u, ['self', 'all']);
  if (ids.length && input.MaxResults !== undefined) {
    throw new AwsError('InvalidParameterCombination', 'The parameter imageIds cannot be used with the parameter maxResults');
  }
  checkMaxResults(input.MaxResults, [5, 1000]);
  const binding: PageBinding = {
    service: 'ec2', operation: 'DescribeImages',
    query: { ids, owners, users, filters: input.Filters ?? [], d: !!input.IncludeDeprecated, x: !!input.IncludeDisabled },
  };
  const after = pagePosition(binding, input.NextToken);
  const now = ctx.clock.nowMs();

  let found: FoundImage[];
  if (ids.length) {
    for (const id of ids) checkId('image', id);
    const unique = [...new Set(ids)];
    const missing: string[] = [];
    found = [];
    for (const id of unique) {
      const f = findImage(ctx, id);
      if (f) found.push(f);
      else missing.push(id);
    }
    if (missing.length) throw imageNotFound(missing);
  } else {
    // Deprecated images of others are left out unless asked for; the owner always sees its own.
    found = visibleImages(ctx).filter((f) => f.own || input.IncludeDeprecated || !isDeprecated(f.image, now));
  }
  if (owners.length) found = found.filter((f) => owners.some((o) => ownerMatches(ctx, f, o)));
  if (users.length) found = found.filter((f) => users.some((u) => executableBy(ctx, f.image, u)));
  const filters = input.Filters ?? [];
  const seen: Seen[] = found.map((f) => ({ f, tags: imageTags(ctx, f) }));
  let matched = applyFilters(seen, filters, fields(ctx, filters)).sort((a, b) => compareIds(a.f.image.id, b.f.image.id));
  if (after !== undefined) matched = matched.filter((s) => compareIds(s.f.image.id, after) > 0);
  const max = input.MaxResults ?? Infinity;
  const page = matched.slice(0, max);
  const out: DescribeImagesResult = { Images: page.map((s) => imageShape(ctx, s.f, s.tags)) };
  if (matched.length > max) out.NextToken = encodePageToken(binding, page[page.length - 1]!.f.image.id);
  return out;
};
