/**
 * The RequestContext of a service acting by itself (an Auto Scaling group launching, an alarm
 * publishing), at a simulated instant: its clock reads `atMs`, so what it creates is stamped
 * with the time it happened, however late the settle runs. The principal is the service's
 * service-linked role, as on AWS (what CloudTrail would show).
 */
import { randomUUID } from 'node:crypto';
import { Clock } from '../../core/clock.js';
import type { Principal } from '../../auth/principal.js';
import type { Scope, Tx } from '../../store/types.js';
import type { RequestContext } from '../types.js';
import type { FleetEnv } from './engine.js';

const LINKED_ROLE: Record<string, { service: string; role: string }> = {
  autoscaling: { service: 'autoscaling.amazonaws.com', role: 'AWSServiceRoleForAutoScaling' },
  elb: { service: 'elasticloadbalancing.amazonaws.com', role: 'AWSServiceRoleForElasticLoadBalancing' },
  alarms: { service: 'cloudwatch.amazonaws.com', role: 'AWSServiceRoleForCloudWatchEvents' },
};

export function servicePrincipal(account: string, step: string): Principal {
  const r = LINKED_ROLE[step] ?? { service: `${step}.amazonaws.com`, role: `AWSServiceRoleFor${step}` };
  return {
    kind: 'assumed-role', account,
    arn: `arn:aws:sts::${account}:assumed-role/${r.role}/${step}`,
    roleArn: `arn:aws:iam::${account}:role/aws-service-role/${r.service}/${r.role}`,
    userId: `AROA${r.role.toUpperCase().slice(0, 17)}:${step}`, sessionName: step,
  };
}

export function systemContext(tx: Tx, scope: Scope, atMs: number, env: FleetEnv, step: string): RequestContext {
  return {
    requestId: randomUUID(), service: step, operation: 'settle',
    account: scope.account, region: scope.region, scope,
    principal: servicePrincipal(scope.account, step),
    clock: new Clock(0, () => atMs), tx, blobs: env.blobs, log: env.log,
    wire: { method: 'POST', path: '/', query: '', headers: {}, body: Buffer.alloc(0), host: 'localhost' },
    sourceIp: '127.0.0.1', responseHeaders: {},
    // Only for work deferred with afterCommit: inside the settle it would wait for itself.
    transact: env.transact ?? (() => { throw new Error('this settle offers no ctx.transact'); }),
    afterCommit: env.afterCommit,
  };
}
