/**
 * Whether role credentials an instance's metadata service handed out still stand: EC2 revokes
 * them when the instance leaves the running state or its instance profile association ends or
 * is replaced. Asked by the credential lookup (src/auth/credentials.ts) on every request signed
 * with such credentials; a small, dependency-light module because the auth layer loads it.
 */
import type { Tx } from '../../../store/types.js';
import { instanceState } from '../compute/lifecycle.js';
import { COMPUTE_KIND, type InstanceRecord } from '../compute/records.js';

export interface Ec2Source { account: string; region: string; instanceId: string; associationId: string; issuedMs?: number }

/**
 * When the credentials stopped standing (epoch ms by the cloudlet clock), or undefined while
 * they stand. The credential lookup treats that time as their expiry (ExpiredToken).
 */
export function revokedAtMs(tx: Tx, src: Ec2Source, nowMs: number): number | undefined {
  const i = tx.get<InstanceRecord>({ account: src.account, region: src.region }, COMPUTE_KIND.instance, src.instanceId);
  if (!i) return 0;
  if (i.iamInstanceProfile?.associationId !== src.associationId || i.iamInstanceProfile.state !== 'associated') {
    return i.profileAssociatedMs ?? 0;
  }
  const s = instanceState(i, nowMs);
  if (s !== 'running' && s !== 'pending') return i.sinceMs;
  // Stopped and started again since they were issued: the old session died at the stop.
  const started = i.runs.length ? i.runs[i.runs.length - 1]![0] : i.launchMs;
  if (src.issuedMs !== undefined && started > src.issuedMs) return started;
  return undefined;
}
