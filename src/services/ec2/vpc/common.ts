import { AwsError } from '../../../core/errors.js';
import { type Cidr, formatCidr, parseCidr } from '../../../network/cidr.js';
import type { RequestContext } from '../../types.js';

export const nowIso = (ctx: RequestContext): string => new Date(ctx.clock.nowMs()).toISOString();

/** A CIDR parameter in canonical form, or AWS's InvalidParameterValue naming the parameter. */
export function cidrParam(value: string | undefined, param: string, family: 4 | 6): Cidr {
  if (value === undefined || value === '') throw new AwsError('MissingParameter', `The request must contain the parameter ${param}`);
  const r = parseCidr(value, family);
  if (!r.ok || r.hostBitsSet) {
    throw new AwsError('InvalidParameterValue', `Value (${value}) for parameter ${param} is invalid. This is not a valid CIDR block.`);
  }
  return r.cidr;
}

export const text = formatCidr;

/** The one parameter of a set that is given, when exactly one must be. */
export function exactlyOne(input: Record<string, unknown>, names: readonly string[], what: string): string {
  const given = names.filter((n) => input[n] !== undefined && input[n] !== '');
  if (given.length !== 1) {
    throw new AwsError(given.length ? 'InvalidParameterCombination' : 'MissingParameter',
      `The request must contain exactly one of ${what}: ${names.join(', ')}${given.length ? ` (got ${given.join(', ')})` : ''}`);
  }
  return given[0]!;
}

/** The "has dependencies" error AWS gives for VPCs, subnets, route tables, gateways. */
export const dependencyViolation = (noun: string, id: string): AwsError =>
  new AwsError('DependencyViolation', `The ${noun} '${id}' has dependencies and cannot be deleted.`);
