/**
 * Launch templates and their versions (what Auto Scaling and Terraform launch from). The
 * template row holds the name and the default/latest version numbers; each version is a row
 * `${templateId}/${padded version}` with the RequestLaunchTemplateData as given, which is also
 * what DescribeLaunchTemplateVersions gives back (the two shapes carry the same members).
 */
import type {
  CreateLaunchTemplateRequest, CreateLaunchTemplateResult, CreateLaunchTemplateVersionRequest, CreateLaunchTemplateVersionResult,
  DeleteLaunchTemplateRequest, DeleteLaunchTemplateResult, DeleteLaunchTemplateVersionsRequest, DeleteLaunchTemplateVersionsResult,
  DescribeLaunchTemplatesRequest, DescribeLaunchTemplatesResult, DescribeLaunchTemplateVersionsRequest, DescribeLaunchTemplateVersionsResult,
  LaunchTemplate, LaunchTemplateVersion, ModifyLaunchTemplateRequest, ModifyLaunchTemplateResult,
} from '@aws-sdk/client-ec2';
import { AwsError } from '../../../core/errors.js';
import type { Handler, RequestContext } from '../../types.js';
import { applyFilters } from '../filters.js';
import { checkMaxResults, describe, pagePosition } from '../describe.js';
import { encodePageToken } from '../../../core/page-token.js';
import { newId } from '../ids.js';
import { dropTags, setTags, tagList, tagsOf, tagSpecTags } from '../tags.js';
import { COMPUTE_KIND, type LaunchTemplateRecord, type LaunchTemplateVersionRecord } from './records.js';

const T = COMPUTE_KIND.launchTemplate;
const V = COMPUTE_KIND.launchTemplateVersion;
const NAME_RE = /^[a-zA-Z0-9().\-/_]{3,128}$/;
const vKey = (id: string, n: number): string => `${id}/${String(n).padStart(10, '0')}`;

const missingName = (): AwsError =>
  new AwsError('InvalidLaunchTemplateName.NotFoundException', 'At least one of the launch templates specified in the request does not exist.');
const missingId = (id: string): AwsError =>
  new AwsError('InvalidLaunchTemplateId.NotFound', `The specified launch template, with template ID ${id}, does not exist.`);

/** The template a request names by ID or by name (exactly one). */
export function templateOf(ctx: RequestContext, id: string | undefined, name: string | undefined): LaunchTemplateRecord {
  if (id && name) throw new AwsError('InvalidParameterCombination', 'Specify either the launch template ID or the launch template name, not both.');
  if (id) {
    if (!/^lt-[0-9a-f]{17}$/.test(id)) throw new AwsError('InvalidLaunchTemplateId.Malformed', `The specified launch template ID ${id} is not valid.`);
    const t = ctx.tx.get<LaunchTemplateRecord>(ctx.scope, T, id);
    if (!t) throw missingId(id);
    return t;
  }
  if (name) {
    const t = ctx.tx.findBy<LaunchTemplateRecord>(ctx.scope, T, 'name', { key: name, limit: 1 })[0]?.value;
    if (!t) throw missingName();
    return t;
  }
  throw new AwsError('MissingParameter', 'The request must contain the parameter launchTemplateName or launchTemplateId');
}

/** A version by number, '$Latest' or '$Default' (the default when none is named). */
export function versionOf(ctx: RequestContext, t: LaunchTemplateRecord, v: string | undefined): LaunchTemplateVersionRecord {
  const n = v === undefined || v === '$Default' ? t.defaultVersion : v === '$Latest' ? t.latestVersion : Number(v);
  if (!Number.isInteger(n) || n < 1) throw new AwsError('InvalidLaunchTemplateVersion.Malformed', `The specified launch template version ${v} is not valid.`);
  const r = ctx.tx.get<LaunchTemplateVersionRecord>(ctx.scope, V, vKey(t.id, n));
  if (!r) throw new AwsError('InvalidLaunchTemplateId.VersionNotFound', `Could not find launch template version ${n} for launch template ${t.id}.`);
  return r;
}

function templateShape(ctx: RequestContext, t: LaunchTemplateRecord): LaunchTemplate {
  return {
    LaunchTemplateId: t.id, LaunchTemplateName: t.name, CreateTime: new Date(t.createMs), CreatedBy: t.createdBy,
    DefaultVersionNumber: t.defaultVersion, LatestVersionNumber: t.latestVersion, Tags: tagList(tagsOf(ctx.tx, ctx.scope, t.id)),
  };
}

function versionShape(t: LaunchTemplateRecord, v: LaunchTemplateVersionRecord): LaunchTemplateVersion {
  return {
    LaunchTemplateId: t.id, LaunchTemplateName: t.name, VersionNumber: v.version, CreateTime: new Date(v.createMs), CreatedBy: v.createdBy,
    DefaultVersion: v.version === t.defaultVersion, LaunchTemplateData: v.data as LaunchTemplateVersion['LaunchTemplateData'],
    ...(v.description !== undefined ? { VersionDescription: v.description } : {}),
  };
}

function checkData(data: Record<string, unknown> | undefined): Record<string, unknown> {
  if (!data) throw new AwsError('MissingParameter', 'The request must contain the parameter LaunchTemplateData');
  const ud = data.UserData;
  if (typeof ud === 'string' && Buffer.from(ud, 'base64').length > 16_384) throw new AwsError('InvalidUserData.Malformed', 'User data is limited to 16384 bytes');
  return data;
}

function checkDescription(d: string | undefined): void {
  if (d !== undefined && d.length > 255) throw new AwsError('InvalidParameterValue', 'The version description is at most 255 characters');
}

function putVersion(ctx: RequestContext, t: LaunchTemplateRecord, n: number, data: Record<string, unknown>, description: string | undefined): LaunchTemplateVersionRecord {
  const v: LaunchTemplateVersionRecord = {
    templateId: t.id, version: n, data, createMs: ctx.clock.nowMs(), createdBy: ctx.principal.arn,
    ...(description !== undefined ? { description } : {}),
  };
  ctx.tx.put(ctx.scope, V, vKey(t.id, n), v);
  return v;
}

export const createLaunchTemplate: Handler<CreateLaunchTemplateRequest, CreateLaunchTemplateResult> = (input, ctx) => {
  const name = input.LaunchTemplateName ?? '';
  if (!NAME_RE.test(name)) {
    throw new AwsError('InvalidLaunchTemplateName.MalformedException', 'A launch template name must be between 3 and 128 characters, and may contain letters, numbers, and the following characters: - ( ) . / _.');
  }
  if (ctx.tx.countBy(ctx.scope, T, 'name', { key: name })) {
    throw new AwsError('InvalidLaunchTemplateName.AlreadyExistsException', `Launch template name already in use.`);
  }
  checkDescription(input.VersionDescription);
  const data = checkData(input.LaunchTemplateData as Record<string, unknown> | undefined);
  const tags = tagSpecTags(input.TagSpecifications, 'launch-template');
  const t: LaunchTemplateRecord = { id: newId('launch-template'), name, defaultVersion: 1, latestVersion: 1, createMs: ctx.clock.nowMs(), createdBy: ctx.principal.arn };
  ctx.tx.put(ctx.scope, T, t.id, t);
  putVersion(ctx, t, 1, data, input.VersionDescription);
  setTags(ctx.tx, ctx.scope, 'launch-template', t.id, tags);
  return { LaunchTemplate: templateShape(ctx, t) };
};

export const createLaunchTemplateVersion: Handler<CreateLaunchTemplateVersionRequest, CreateLaunchTemplateVersionResult> = (input, ctx) => {
  const t = templateOf(ctx, input.LaunchTemplateId, input.LaunchTemplateName);
  checkDescription(input.VersionDescription);
  let data = checkData(input.LaunchTemplateData as Record<string, unknown> | undefined);
  if (input.SourceVersion !== undefined) data = { ...versionOf(ctx, t, input.SourceVersion).data, ...data };
  t.latestVersion += 1;
  ctx.tx.put(ctx.scope, T, t.id, t);
  const v = putVersion(ctx, t, t.latestVersion, data, input.VersionDescription);
  return { LaunchTemplateVersion: versionShape(t, v) };
};

export const modifyLaunchTemplate: Handler<ModifyLaunchTemplateRequest, ModifyLaunchTemplateResult> = (input, ctx) => {
  const t = templateOf(ctx, input.LaunchTemplateId, input.LaunchTemplateName);
  if (input.DefaultVersion !== undefined) {
    t.defaultVersion = versionOf(ctx, t, input.DefaultVersion).version;
    ctx.tx.put(ctx.scope, T, t.id, t);
  }
  return { LaunchTemplate: templateShape(ctx, t) };
};

export const deleteLaunchTemplate: Handler<DeleteLaunchTemplateRequest, DeleteLaunchTemplateResult> = (input, ctx) => {
  const t = templateOf(ctx, input.LaunchTemplateId, input.LaunchTemplateName);
  const shape = templateShape(ctx, t);
  for (const r of ctx.tx.list(ctx.scope, V, { prefix: `${t.id}/` })) ctx.tx.delete(ctx.scope, V, r.id);
  ctx.tx.delete(ctx.scope, T, t.id);
  dropTags(ctx.tx, ctx.scope, t.id);
  return { LaunchTemplate: shape };
};

export const deleteLaunchTemplateVersions: Handler<DeleteLaunchTemplateVersionsRequest, DeleteLaunchTemplateVersionsResult> = (input, ctx) => {
  const t = templateOf(ctx, input.LaunchTemplateId, input.LaunchTemplateName);
  const ok: NonNullable<DeleteLaunchTemplateVersionsResult['SuccessfullyDeletedLaunchTemplateVersions']> = [];
  const bad: NonNullable<DeleteLaunchTemplateVersionsResult['UnsuccessfullyDeletedLaunchTemplateVersions']> = [];
  for (const s of input.Versions ?? []) {
    const n = Number(s);
    const base = { LaunchTemplateId: t.id, LaunchTemplateName: t.name, VersionNumber: n };
    if (n === t.defaultVersion) {
      bad.push({ ...base, ResponseError: { Code: 'unexpectedError', Message: 'Cannot delete the default version of a launch template.' } });
    } else if (!Number.isInteger(n) || !ctx.tx.delete(ctx.scope, V, vKey(t.id, n))) {
      bad.push({ ...base, ResponseError: { Code: 'launchTemplateVersionDoesNotExist', Message: `Launch template version ${s} does not exist.` } });
    } else ok.push(base);
  }
  return { SuccessfullyDeletedLaunchTemplateVersions: ok, UnsuccessfullyDeletedLaunchTemplateVersions: bad };
};

export const describeLaunchTemplates: Handler<DescribeLaunchTemplatesRequest, DescribeLaunchTemplatesResult> = (input, ctx) => {
  const names = input.LaunchTemplateNames ?? [];
  if (names.length && input.LaunchTemplateIds?.length) {
    throw new AwsError('InvalidParameterCombination', 'Specify either launch template IDs or launch template names, not both.');
  }
  const ids = names.map((n) => templateOf(ctx, undefined, n).id);
  for (const id of input.LaunchTemplateIds ?? []) templateOf(ctx, id, undefined);
  const { items, nextToken } = describe<LaunchTemplateRecord>(ctx, { ...input, MaxResults: ids.length || input.LaunchTemplateIds?.length ? undefined : input.MaxResults }, {
    operation: 'DescribeLaunchTemplates', type: 'launch-template', ids: [...ids, ...(input.LaunchTemplateIds ?? [])], idsParam: 'launchTemplateIds',
    fields: { 'create-time': (t) => new Date(t.createMs).toISOString(), 'launch-template-name': (t) => t.name },
    indexes: { 'launch-template-name': 'name' }, bounds: [1, 200],
  });
  return { LaunchTemplates: items.map((d) => templateShape(ctx, d.record)), ...(nextToken ? { NextToken: nextToken } : {}) };
};

export const describeLaunchTemplateVersions: Handler<DescribeLaunchTemplateVersionsRequest, DescribeLaunchTemplateVersionsResult> = (input, ctx) => {
  checkMaxResults(input.MaxResults, [1, 200]);
  const hasTemplate = !!(input.LaunchTemplateId || input.LaunchTemplateName);
  if (input.Versions?.length && !hasTemplate) throw new AwsError('MissingParameter', 'Versions require a launch template ID or name');
  const templates = hasTemplate ? [templateOf(ctx, input.LaunchTemplateId, input.LaunchTemplateName)] : ctx.tx.list<LaunchTemplateRecord>(ctx.scope, T).map((r) => r.value);
  let pairs: Array<[LaunchTemplateRecord, LaunchTemplateVersionRecord]> = [];
  for (const t of templates) {
    if (input.Versions?.length) {
      for (const v of input.Versions) pairs.push([t, versionOf(ctx, t, v)]);
      continue;
    }
    for (const r of ctx.tx.list<LaunchTemplateVersionRecord>(ctx.scope, V, { prefix: `${t.id}/` })) {
      const n = r.value.version;
      if (input.MinVersion !== undefined && n < Number(input.MinVersion)) continue;
      if (input.MaxVersion !== undefined && n > Number(input.MaxVersion)) continue;
      pairs.push([t, r.value]);
    }
  }
  pairs = applyFilters(pairs, input.Filters, {
    'create-time': ([, v]) => new Date(v.createMs).toISOString(), 'is-default-version': ([t, v]) => String(t.defaultVersion === v.version),
    'image-id': ([, v]) => v.data.ImageId as string | undefined, 'instance-type': ([, v]) => v.data.InstanceType as string | undefined,
    'kernel-id': () => undefined, 'ram-disk-id': () => undefined, 'iam-instance-profile': ([, v]) => (v.data.IamInstanceProfile as { Arn?: string; Name?: string } | undefined)?.Arn,
  });
  const binding = { service: 'ec2', operation: 'DescribeLaunchTemplateVersions', query: { t: templates.map((t) => t.id), v: input.Versions, f: input.Filters } };
  const after = pagePosition(binding, input.NextToken);
  const keyOf = ([t, v]: [LaunchTemplateRecord, LaunchTemplateVersionRecord]) => vKey(t.id, v.version);
  const rest = after === undefined ? pairs : pairs.filter((p) => keyOf(p) > after);
  const max = input.MaxResults ?? rest.length;
  const page = rest.slice(0, max);
  return {
    LaunchTemplateVersions: page.map(([t, v]) => versionShape(t, v)),
    ...(rest.length > max ? { NextToken: encodePageToken(binding, keyOf(page[page.length - 1]!)) } : {}),
  };
};
