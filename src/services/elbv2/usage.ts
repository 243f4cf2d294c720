/**
 * Which load balancers use a target group and the reverse: through their listeners' default
 * actions and rules (a scan of the scope's listeners and rules; a scope holds few).
 */
import type { Scope, Tx } from '../../store/types.js';
import { actionTargetGroups, KIND, type ListenerRecord, type RuleRecord } from './records.js';

/** listener ARN -> its load balancer ARN (listener/app/N/LBID/LID -> loadbalancer/app/N/LBID). */
const lbOfListener = (listenerArn: string): string => listenerArn.replace(':listener/', ':loadbalancer/').replace(/\/[^/]+$/, '');

function edges(tx: Tx, scope: Scope): Array<{ lb: string; tg: string }> {
  const out: Array<{ lb: string; tg: string }> = [];
  for (const { value: l } of tx.list<ListenerRecord>(scope, KIND.listener)) {
    for (const a of l.defaultActions) for (const tg of actionTargetGroups(a)) out.push({ lb: l.lbArn, tg });
  }
  for (const { value: r } of tx.list<RuleRecord>(scope, KIND.rule)) {
    for (const a of r.actions) for (const tg of actionTargetGroups(a)) out.push({ lb: lbOfListener(r.listenerArn), tg });
  }
  return out;
}

export function loadBalancersOfTargetGroup(tx: Tx, scope: Scope, arn: string): string[] {
  return [...new Set(edges(tx, scope).filter((e) => e.tg === arn).map((e) => e.lb))];
}

export function targetGroupsOfLoadBalancer(tx: Tx, scope: Scope, arn: string): string[] {
  return [...new Set(edges(tx, scope).filter((e) => e.lb === arn).map((e) => e.tg))];
}
