/**
 * Instance profiles on instances: which IAM instance profile (and so which role) an instance
 * runs as. The profile lives in IAM (global scope of the account); the instance keeps its ARN
 * and ID and one association (iip-assoc-...). Associate, replace, disassociate, describe.
 */
import type {
  AssociateIamInstanceProfileRequest, AssociateIamInstanceProfileResult, DescribeIamInstanceProfileAssociationsRequest,
  DescribeIamInstanceProfileAssociationsResult, DisassociateIamInstanceProfileRequest, DisassociateIamInstanceProfileResult,
  IamInstanceProfileAssociation, IamInstanceProfileSpecification, ReplaceIamInstanceProfileAssociationRequest,
  ReplaceIamInstanceProfileAssociationResult,
} from '@aws-sdk/client-ec2';
import { AwsError } from '../../../core/errors.js';
import type { Handler, RequestContext } from '../../types.js';
import { IAM_KIND, iamScope, type InstanceProfileRecord } from '../../iam/records.js';
import { applyFilters } from '../filters.js';
import { newIdWithPrefix } from '../ids.js';
import { getInstance, INSTANCE_KIND, putInstance } from './instances-core.js';
import { instanceExpired, instanceState } from './lifecycle.js';
import type { InstanceRecord } from './records.js';

/** The profile a launch or an association names, by ARN or name, in the caller's account. */
export function resolveProfile(ctx: RequestContext, spec: IamInstanceProfileSpecification): { arn: string; id: string } {
  const byArn = spec.Arn ? /^arn:aws[a-z-]*:iam::(\d{12}):instance-profile\/(?:.*\/)?([^/]+)$/.exec(spec.Arn) : undefined;
  if (spec.Arn && !byArn) {
    throw new AwsError('InvalidParameterValue', `Value (${spec.Arn}) for parameter iamInstanceProfile.arn is invalid. Invalid IAM Instance Profile ARN`);
  }
  const name = byArn ? byArn[2]! : spec.Name;
  if (!name) throw new AwsError('InvalidParameterValue', 'The request must name an instance profile (iamInstanceProfile.arn or .name)');
  const account = byArn ? byArn[1]! : ctx.account;
  const p = account === ctx.account ? ctx.tx.get<InstanceProfileRecord>(iamScope(account), IAM_KIND.instanceProfile, name) : undefined;
  if (!p || (spec.Arn && p.arn !== spec.Arn)) {
    const what = spec.Arn ? `arn` : 'name';
    throw new AwsError('InvalidParameterValue', `Value (${spec.Arn ?? name}) for parameter iamInstanceProfile.${what} is invalid. Invalid IAM Instance Profile ${what}`);
  }
  return { arn: p.arn, id: p.id };
}

function associationShape(i: InstanceRecord): IamInstanceProfileAssociation {
  const a = i.iamInstanceProfile!;
  return {
    AssociationId: a.associationId, InstanceId: i.id, IamInstanceProfile: { Arn: a.arn, Id: a.id },
    State: a.state, Timestamp: new Date(i.profileAssociatedMs ?? i.launchMs),
  };
}

export const associateIamInstanceProfile: Handler<AssociateIamInstanceProfileRequest, AssociateIamInstanceProfileResult> = (input, ctx) => {
  const i = getInstance(ctx, input.InstanceId);
  const s = instanceState(i, ctx.clock.nowMs());
  if (s !== 'running' && s !== 'pending' && s !== 'stopped' && s !== 'stopping') {
    throw new AwsError('IncorrectState', `The instance '${i.id}' is not in a valid state for this operation.`);
  }
  if (i.iamInstanceProfile) {
    throw new AwsError('IncorrectState', `There is an existing association for instance ${i.id}`);
  }
  const p = resolveProfile(ctx, input.IamInstanceProfile ?? {});
  i.iamInstanceProfile = { ...p, associationId: newIdWithPrefix('iip-assoc'), state: 'associated' };
  i.profileAssociatedMs = ctx.clock.nowMs();
  putInstance(ctx, i);
  return { IamInstanceProfileAssociation: { ...associationShape(i), State: 'associating' } };
};

function byAssociation(ctx: RequestContext, id: string | undefined): InstanceRecord {
  if (!id) throw new AwsError('MissingParameter', 'The request must contain the parameter AssociationId');
  const hit = ctx.tx.list<InstanceRecord>(ctx.scope, INSTANCE_KIND).find((r) => r.value.iamInstanceProfile?.associationId === id);
  if (!hit) throw new AwsError('InvalidAssociationID.NotFound', `An association with ID ${id} does not exist.`);
  return hit.value;
}

export const replaceIamInstanceProfileAssociation: Handler<ReplaceIamInstanceProfileAssociationRequest, ReplaceIamInstanceProfileAssociationResult> = (input, ctx) => {
  const i = byAssociation(ctx, input.AssociationId);
  const p = resolveProfile(ctx, input.IamInstanceProfile ?? {});
  i.iamInstanceProfile = { ...p, associationId: newIdWithPrefix('iip-assoc'), state: 'associated' };
  i.profileAssociatedMs = ctx.clock.nowMs();
  putInstance(ctx, i);
  return { IamInstanceProfileAssociation: { ...associationShape(i), State: 'associating' } };
};

export const disassociateIamInstanceProfile: Handler<DisassociateIamInstanceProfileRequest, DisassociateIamInstanceProfileResult> = (input, ctx) => {
  const i = byAssociation(ctx, input.AssociationId);
  const shape = { ...associationShape(i), State: 'disassociating' as const };
  delete i.iamInstanceProfile;
  putInstance(ctx, i);
  return { IamInstanceProfileAssociation: shape };
};

export const describeIamInstanceProfileAssociations: Handler<DescribeIamInstanceProfileAssociationsRequest, DescribeIamInstanceProfileAssociationsResult> = (input, ctx) => {
  const now = ctx.clock.nowMs();
  const ids = new Set(input.AssociationIds ?? []);
  const rows = ctx.tx.findBy<InstanceRecord>(ctx.scope, INSTANCE_KIND, 'profile', { prefix: '' })
    .map((h) => h.value)
    .filter((i) => i.iamInstanceProfile && !instanceExpired(i, now) && instanceState(i, now) !== 'terminated')
    .filter((i) => !ids.size || ids.has(i.iamInstanceProfile!.associationId));
  for (const id of ids) {
    if (!rows.some((i) => i.iamInstanceProfile!.associationId === id)) throw new AwsError('InvalidAssociationID.NotFound', `An association with ID ${id} does not exist.`);
  }
  const shapes = applyFilters(rows.map(associationShape), input.Filters ?? [], {
    'instance-id': (a) => a.InstanceId, state: (a) => a.State,
  });
  return { IamInstanceProfileAssociations: shapes };
};
