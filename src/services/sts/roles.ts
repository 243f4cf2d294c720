/** Finding the role a RoleArn names, in the role's own account (which may not be the caller's). */
import { IAM_KIND, iamScope, type RoleRecord } from '../iam/records.js';
import type { Tx } from '../../store/types.js';

export interface RoleArnParts {
  partition: string;
  account: string;
  /** '/' or '/path/'. */
  path: string;
  name: string;
}

const ROLE_ARN = /^arn:(aws[a-z-]*):iam::(\d{12}):role(\/(?:[^/]+\/)*)?([\w+=,.@-]{1,64})$/;

export function parseRoleArn(arn: string): RoleArnParts | undefined {
  const m = ROLE_ARN.exec(arn);
  if (!m) return undefined;
  return { partition: m[1]!, account: m[2]!, path: m[3] ?? '/', name: m[4]! };
}

/** The role the ARN names, when it exists with exactly that ARN (path included). */
export function findRole(tx: Tx, arn: string): RoleRecord | undefined {
  const parts = parseRoleArn(arn);
  if (!parts) return undefined;
  const role = tx.get<RoleRecord>(iamScope(parts.account), IAM_KIND.role, parts.name);
  return role && role.arn === arn ? role : undefined;
}

/** arn:aws:sts::ACCT:assumed-role/ROLENAME/SESSION (the role's path is not part of it). */
export function assumedRoleArn(role: RoleRecord, sessionName: string): string {
  const parts = parseRoleArn(role.arn)!;
  return `arn:${parts.partition}:sts::${parts.account}:assumed-role/${role.name}/${sessionName}`;
}
