/**
 * AMI attributes: launch permissions (share with accounts, make public, refused while the
 * Region's block public access for AMIs is on), description, IMDS support; the block public
 * access setting itself; deprecation times.
 */
import type {
  DescribeImageAttributeRequest, DisableImageBlockPublicAccessRequest, DisableImageBlockPublicAccessResult, DisableImageDeprecationRequest,
  DisableImageDeprecationResult, EnableImageBlockPublicAccessRequest, EnableImageBlockPublicAccessResult, EnableImageDeprecationRequest,
  EnableImageDeprecationResult, GetImageBlockPublicAccessStateRequest, GetImageBlockPublicAccessStateResult, ImageAttribute,
  LaunchPermission, ModifyImageAttributeRequest, ResetImageAttributeRequest,
} from '@aws-sdk/client-ec2';
import { AwsError } from '../../../core/errors.js';
import type { Handler, RequestContext } from '../../types.js';
import { blockDeviceShape, findImage, IMAGE_BPA_SETTING, imageBpaState, imageNotFound, ownImage, setLaunchPermissions } from './images-core.js';
import { checkId } from '../ids.js';
import { COMPUTE_KIND, type ImageRecord } from './records.js';

const ATTRIBUTES = ['description', 'kernel', 'ramdisk', 'launchPermission', 'productCodes', 'blockDeviceMapping', 'sriovNetSupport',
  'bootMode', 'tpmSupport', 'uefiData', 'lastLaunchedTime', 'imdsSupport', 'deregistrationProtection'];

function attributeName(v: string | undefined): string {
  if (v === undefined || v === '') throw new AwsError('MissingParameter', 'The request must contain the parameter attribute');
  if (!ATTRIBUTES.includes(v)) throw new AwsError('InvalidRequest', `The attribute '${v}' is not valid. Valid values: ${ATTRIBUTES.join(', ')}`);
  return v;
}

const permissionsShape = (i: ImageRecord): LaunchPermission[] =>
  i.launchPermissions.map((p) => (p === 'all' ? { Group: 'all' as const } : { UserId: p }));

export const describeImageAttribute: Handler<DescribeImageAttributeRequest, ImageAttribute> = (input, ctx) => {
  const attr = attributeName(input.Attribute);
  // Launch permissions are the owner's to read; the rest of any image the caller can see.
  let i: ImageRecord;
  if (attr === 'launchPermission') i = ownImage(ctx, input.ImageId);
  else {
    if (!input.ImageId) throw new AwsError('MissingParameter', 'The request must contain the parameter imageId');
    checkId('image', input.ImageId);
    const f = findImage(ctx, input.ImageId);
    if (!f) throw imageNotFound([input.ImageId]);
    i = f.image;
  }
  const out: ImageAttribute = { ImageId: i.id };
  switch (attr) {
    case 'launchPermission': out.LaunchPermissions = permissionsShape(i); break;
    case 'description': out.Description = i.description ? { Value: i.description } : {}; break;
    case 'blockDeviceMapping': out.BlockDeviceMappings = i.blockDevices.map(blockDeviceShape); break;
    case 'productCodes': out.ProductCodes = []; break;
    case 'sriovNetSupport': out.SriovNetSupport = { Value: 'simple' }; break;
    case 'bootMode': out.BootMode = i.bootMode ? { Value: i.bootMode } : {}; break;
    case 'imdsSupport': out.ImdsSupport = i.imdsSupport ? { Value: i.imdsSupport } : {}; break;
    case 'deregistrationProtection': out.DeregistrationProtection = { Value: 'disabled' }; break;
    default: break;
  }
  return out;
};

const ACCOUNT_RE = /^\d{12}$/;

function checkGrantee(p: LaunchPermission): string {
  if (p.Group !== undefined) {
    if (p.Group !== 'all') throw new AwsError('InvalidAMIAttributeItemValue', `Invalid attribute item value "${p.Group}" for group item type.`);
    return 'all';
  }
  if (p.UserId !== undefined) {
    if (!ACCOUNT_RE.test(p.UserId)) throw new AwsError('InvalidAMIAttributeItemValue', `Invalid attribute item value "${p.UserId}" for userId item type.`);
    return p.UserId;
  }
  if (p.OrganizationArn !== undefined || p.OrganizationalUnitArn !== undefined) {
    throw new AwsError('InvalidParameterValue', 'Sharing with organizations is not offered by cloudlet (no Organizations service); share with account IDs');
  }
  throw new AwsError('InvalidParameterValue', 'A launch permission needs a UserId or Group');
}

function changePermissions(ctx: RequestContext, i: ImageRecord, add: string[], remove: string[]): void {
  if (add.includes('all') && !i.launchPermissions.includes('all') && imageBpaState(ctx) === 'block-new-sharing') {
    throw new AwsError('OperationNotPermitted', `You can't publicly share image ${i.id} because block public access for AMIs is enabled for this account in this Region. To publicly share the image, you must call DisableImageBlockPublicAccess.`);
  }
  const next = [...i.launchPermissions.filter((p) => !remove.includes(p))];
  for (const p of add) if (!next.includes(p) && p !== i.ownerId) next.push(p);
  setLaunchPermissions(ctx, i, next);
}

export const modifyImageAttribute: Handler<ModifyImageAttributeRequest, object> = (input, ctx) => {
  const i = ownImage(ctx, input.ImageId);
  const attr = input.Attribute;
  if (attr !== undefined && !['launchPermission', 'description', 'imdsSupport'].includes(attr)) {
    throw new AwsError('InvalidParameterValue', `The attribute '${attr}' cannot be modified`);
  }
  if (input.LaunchPermission || attr === 'launchPermission' || input.UserIds?.length || input.UserGroups?.length) {
    const lp = input.LaunchPermission ?? {};
    let add = (lp.Add ?? []).map(checkGrantee);
    let remove = (lp.Remove ?? []).map(checkGrantee);
    const listed = [...(input.UserIds ?? []).map((u) => checkGrantee({ UserId: u })), ...(input.UserGroups ?? []).map((g) => checkGrantee({ Group: g as 'all' }))];
    if (listed.length) {
      const op = input.OperationType;
      if (op !== 'add' && op !== 'remove') throw new AwsError('MissingParameter', 'The request must contain the parameter operationType');
      if (op === 'add') add = [...add, ...listed];
      else remove = [...remove, ...listed];
    }
    if (!add.length && !remove.length) throw new AwsError('MissingParameter', 'The request must contain the parameter launchPermission');
    changePermissions(ctx, i, add, remove);
    return {};
  }
  const desc = input.Description?.Value ?? (attr === 'description' ? input.Value : undefined);
  if (desc !== undefined) {
    if (desc.length > 255) throw new AwsError('InvalidParameterValue', 'The description can be up to 255 characters long');
    i.description = desc;
    ctx.tx.put(ctx.scope, COMPUTE_KIND.image, i.id, i);
    return {};
  }
  const imds = input.ImdsSupport?.Value ?? (attr === 'imdsSupport' ? input.Value : undefined);
  if (imds !== undefined) {
    if (imds !== 'v2.0') throw new AwsError('InvalidParameterValue', `Value (${imds}) for parameter imdsSupport is invalid. Valid values: v2.0`);
    i.imdsSupport = 'v2.0';
    ctx.tx.put(ctx.scope, COMPUTE_KIND.image, i.id, i);
    return {};
  }
  throw new AwsError('MissingParameter', 'The request must contain the parameter attribute');
};

export const resetImageAttribute: Handler<ResetImageAttributeRequest, object> = (input, ctx) => {
  const i = ownImage(ctx, input.ImageId);
  if (input.Attribute !== 'launchPermission') {
    throw new AwsError('InvalidParameterValue', `Value (${input.Attribute}) for parameter attribute is invalid. Only launchPermission can be reset.`);
  }
  setLaunchPermissions(ctx, i, []);
  return {};
};

const putBpa = (ctx: RequestContext, state: string): void => { ctx.tx.put(ctx.scope, COMPUTE_KIND.setting, IMAGE_BPA_SETTING, { state }); };

export const enableImageBlockPublicAccess: Handler<EnableImageBlockPublicAccessRequest, EnableImageBlockPublicAccessResult> = (input, ctx) => {
  if (input.ImageBlockPublicAccessState !== 'block-new-sharing') {
    throw new AwsError('InvalidParameterValue', `Value (${input.ImageBlockPublicAccessState}) for parameter ImageBlockPublicAccessState is invalid. Valid values: block-new-sharing`);
  }
  putBpa(ctx, 'block-new-sharing');
  return { ImageBlockPublicAccessState: 'block-new-sharing' };
};

export const disableImageBlockPublicAccess: Handler<DisableImageBlockPublicAccessRequest, DisableImageBlockPublicAccessResult> = (_input, ctx) => {
  putBpa(ctx, 'unblocked');
  return { ImageBlockPublicAccessState: 'unblocked' };
};

export const getImageBlockPublicAccessState: Handler<GetImageBlockPublicAccessStateRequest, GetImageBlockPublicAccessStateResult> = (_input, ctx) =>
  ({ ImageBlockPublicAccessState: imageBpaState(ctx), ManagedBy: 'account' });

const TEN_YEARS_MS = 10 * 366 * 24 * 3_600_000;

export const enableImageDeprecation: Handler<EnableImageDeprecationRequest, EnableImageDeprecationResult> = (input, ctx) => {
  const i = ownImage(ctx, input.ImageId);
  const at = input.DeprecateAt instanceof Date ? input.DeprecateAt.getTime() : Date.parse(String(input.DeprecateAt));
  if (!Number.isFinite(at)) throw new AwsError('MissingParameter', 'The request must contain the parameter DeprecateAt');
  const now = ctx.clock.nowMs();
  if (at > now + TEN_YEARS_MS) throw new AwsError('InvalidParameterValue', 'The deprecation time cannot be more than 10 years in the future');
  // AWS rounds seconds up to the next minute.
  i.deprecationMs = Math.ceil(at / 60_000) * 60_000;
  ctx.tx.put(ctx.scope, COMPUTE_KIND.image, i.id, i);
  return { Return: true };
};

export const disableImageDeprecation: Handler<DisableImageDeprecationRequest, DisableImageDeprecationResult> = (input, ctx) => {
  const i = ownImage(ctx, input.ImageId);
  delete i.deprecationMs;
  ctx.tx.put(ctx.scope, COMPUTE_KIND.image, i.id, i);
  return { Return: true };
};

