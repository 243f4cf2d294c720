/**
 * EC2 Instance Connect's SendSSHPublicKey: a public key an OS user may log in with for 60
 * seconds. Kept in the EC2 scope of the same account and region (the instance's), one row per
 * instance and user (a new push replaces the last); the metadata service serves the live ones
 * at meta-data/managed-ssh-keys/active-keys/<user>, which is how AWS's instance-side agent
 * (ec2-instance-connect's AuthorizedKeysCommand) finds them.
 */
import { AwsError } from '../../core/errors.js';
import type { Handler, RequestContext } from '../types.js';
import { instanceExpired, instanceState } from '../ec2/compute/lifecycle.js';
import { keyFromOpenSshLine, rsaBits } from '../ec2/compute/keys-format.js';
import { COMPUTE_KIND, type InstanceRecord } from '../ec2/compute/records.js';

/** How long a pushed key works (AWS: 60 seconds). */
export const KEY_LIFETIME_MS = 60_000;

/** One pushed key (row kind COMPUTE_KIND.instanceConnectKey, id `${instanceId}/${osUser}`). */
export interface InstanceConnectKeyRecord {
  instanceId: string;
  osUser: string;
  /** The OpenSSH public key line as sent. */
  key: string;
  sentMs: number;
  expiresMs: number;
}

/** The input (no @aws-sdk/client-ec2-instance-connect in the project: the model's members). */
export interface SendSSHPublicKeyRequest {
  InstanceId?: string;
  InstanceOSUser?: string;
  SSHPublicKey?: string;
  AvailabilityZone?: string;
}

export interface SendSSHPublicKeyResponse {
  RequestId?: string;
  Success?: boolean;
}

const KIND = COMPUTE_KIND.instanceConnectKey;
// The model's patterns: Linux user names, an instance ID.
const OS_USER = /(^[A-Za-z_][A-Za-z0-9@._-]{0,30}[A-Za-z0-9$_-]?$)|(^(?=.{2,32}$)[0-9]{1,32}[A-Za-z@._-][A-Za-z0-9@._-]*[A-Za-z0-9$_-]?$)/;
const INSTANCE_ID = /^i-[a-f0-9]{8}(?:[a-f0-9]{9})?$/;

const invalid = (message: string): AwsError => new AwsError('InvalidArgsException', message);

export const sendSSHPublicKey: Handler<SendSSHPublicKeyRequest, SendSSHPublicKeyResponse> = (input, ctx) => {
  const id = input.InstanceId ?? '';
  const user = input.InstanceOSUser ?? '';
  const line = (input.SSHPublicKey ?? '').trim();
  if (!INSTANCE_ID.test(id)) throw invalid(`Invalid instance ID: ${id}`);
  if (user.length > 32 || !OS_USER.test(user)) throw invalid(`Invalid OS user: ${user}`);
  // EC2 Instance Connect takes OpenSSH-format RSA (2048 bits or more) and ED25519 keys.
  const key = line.length <= 4096 ? keyFromOpenSshLine(line) : undefined;
  if (!key || (key.asymmetricKeyType === 'rsa' && rsaBits(key) < 2048)) {
    throw invalid('The SSH public key is not valid: it must be an OpenSSH-format RSA (2048 bits or more) or ED25519 public key');
  }
  const now = ctx.clock.nowMs();
  const i = ctx.tx.get<InstanceRecord>(ctx.scope, COMPUTE_KIND.instance, id);
  if (!i || instanceExpired(i, now)) throw new AwsError('EC2InstanceNotFoundException', `Instance not found: ${id}`);
  if (input.AvailabilityZone !== undefined && input.AvailabilityZone !== i.zoneName) {
    throw invalid(`Instance ${id} is not in the Availability Zone ${input.AvailabilityZone}`);
  }
  if (instanceState(i, now) !== 'running') {
    throw new AwsError('EC2InstanceStateInvalidException', `Instance ${id} is not in a valid state for this operation: it must be running`);
  }
  const rec: InstanceConnectKeyRecord = { instanceId: id, osUser: user, key: line, sentMs: now, expiresMs: now + KEY_LIFETIME_MS };
  ctx.tx.put(ctx.scope, KIND, `${id}/${user}`, rec);
  return { RequestId: ctx.requestId, Success: true };
};

/**
 * The keys pushed to an instance that still work now, by OS user (for IMDS
 * managed-ssh-keys). `ctx.scope` is the instance's EC2 scope.
 */
export function instanceConnectKeys(ctx: Pick<RequestContext, 'tx' | 'scope' | 'clock'>, instanceId: string): Array<{ osUser: string; key: string }> {
  const now = ctx.clock.nowMs();
  return ctx.tx.list<InstanceConnectKeyRecord>(ctx.scope, KIND, { prefix: `${instanceId}/` })
    .map((r) => r.value)
    .filter((r) => r.expiresMs > now)
    .map((r) => ({ osUser: r.osUser, key: r.key }));
}
