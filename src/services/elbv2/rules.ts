/**
 * Listener rules: CreateRule (conditions and actions checked in actions.ts, priorities 1-50000
 * unique per listener), DescribeRules (the default rule, made of the listener's default
 * actions, comes last with IsDefault), ModifyRule, SetRulePriorities, DeleteRule.
 */
import type {
  CreateRuleInput, CreateRuleOutput, DeleteRuleInput, DeleteRuleOutput, DescribeRulesInput, DescribeRulesOutput, ModifyRuleInput,
  ModifyRuleOutput, Rule, SetRulePrioritiesInput, SetRulePrioritiesOutput,
} from '@aws-sdk/client-elastic-load-balancing-v2';
import { createHash } from 'node:crypto';
import { AwsError } from '../../core/errors.js';
import type { Handler, RequestContext } from '../types.js';
import { checkActions, checkConditions } from './actions.js';
import { tgLookup } from './listeners.js';
import {
  getLb, getListener, getRule, hex16, invalidConfig, KIND, page, rulesOf, validation, type ListenerRecord, type RuleRecord,
} from './records.js';
import { checkTags, setTags } from './tags.js';

export const MAX_RULES = 100;

const ruleBase = (listenerArn: string): string => listenerArn.replace(':listener/', ':listener-rule/');

/** The default rule's ARN: stable for a listener. */
export const defaultRuleArn = (listenerArn: string): string =>
  `${ruleBase(listenerArn)}/${createHash('sha256').update(listenerArn).digest('hex').slice(0, 16)}`;

function ruleShape(r: RuleRecord): Rule {
  return {
    RuleArn: r.arn, Priority: r.priority, Conditions: r.conditions as Rule['Conditions'], Actions: r.actions as Rule['Actions'],
    IsDefault: r.priority === 'default',
  };
}

const defaultRule = (l: ListenerRecord): RuleRecord => ({ arn: defaultRuleArn(l.arn), listenerArn: l.arn, priority: 'default', conditions: [], actions: l.defaultActions });

function checkPriority(p: number | undefined): string {
  if (p === undefined || !Number.isInteger(p) || p < 1 || p > 50000) throw validation(`Priority '${String(p)}' must be between 1 and 50000`);
  return String(p);
}

function checkForAlb(ctx: RequestContext, l: ListenerRecord): void {
  const lb = getLb(ctx, l.lbArn);
  if (lb.type !== 'application') throw invalidConfig('Rules are supported for Application Load Balancer listeners only');
}

export const createRule: Handler<CreateRuleInput, CreateRuleOutput> = (input, ctx) => {
  const l = getListener(ctx, input.ListenerArn);
  checkForAlb(ctx, l);
  const priority = checkPriority(input.Priority);
  const conditions = checkConditions(input.Conditions);
  const actions = checkActions(input.Actions, 'application', tgLookup(ctx), getLb(ctx, l.lbArn).vpcId);
  const tags = checkTags(input.Tags);
  const rules = rulesOf(ctx, l.arn);
  if (rules.some((r) => r.priority === priority)) throw new AwsError('PriorityInUse', `Priority '${priority}' is currently in use`);
  if (rules.length >= MAX_RULES) throw new AwsError('TooManyRules', `You've reached the limit on the number of rules per listener`);
  const r: RuleRecord = { arn: `${ruleBase(l.arn)}/${hex16()}`, listenerArn: l.arn, priority, conditions, actions };
  ctx.tx.put(ctx.scope, KIND.rule, r.arn, r);
  setTags(ctx, r.arn, tags);
  return { Rules: [ruleShape(r)] };
};

function findRule(ctx: RequestContext, arn: string | undefined): RuleRecord {
  if (arn) {
    const l = ctx.tx.get<ListenerRecord>(ctx.scope, KIND.listener, arn.replace(':listener-rule/', ':listener/').replace(/\/[^/]+$/, ''));
    if (l && defaultRuleArn(l.arn) === arn) return defaultRule(l);
  }
  return getRule(ctx, arn);
}

export const describeRules: Handler<DescribeRulesInput, DescribeRulesOutput> = (input, ctx) => {
  if (!input.ListenerArn && !input.RuleArns?.length) throw validation('You must specify either listener ARNs or rule ARNs');
  if (input.ListenerArn && input.RuleArns?.length) throw validation('Listener ARN and rule ARNs cannot be specified at the same time');
  let all: RuleRecord[];
  if (input.RuleArns?.length) all = input.RuleArns.map((a) => findRule(ctx, a));
  else {
    const l = getListener(ctx, input.ListenerArn);
    all = [...rulesOf(ctx, l.arn).sort((a, b) => Number(a.priority) - Number(b.priority)), defaultRule(l)];
  }
  const p = page(all, input.Marker, input.PageSize);
  return { Rules: p.items.map(ruleShape), ...(p.next ? { NextMarker: p.next } : {}) };
};

export const modifyRule: Handler<ModifyRuleInput, ModifyRuleOutput> = (input, ctx) => {
  const r = findRule(ctx, input.RuleArn);
  const l = getListener(ctx, r.listenerArn);
  const lb = getLb(ctx, l.lbArn);
  if (r.priority === 'default') {
    if (input.Conditions?.length) throw new AwsError('OperationNotPermitted', 'Conditions cannot be set on the default rule');
    if (input.Actions?.length) {
      l.defaultActions = checkActions(input.Actions, lb.type, tgLookup(ctx), lb.vpcId);
      ctx.tx.put(ctx.scope, KIND.listener, l.arn, l);
    }
    return { Rules: [ruleShape(defaultRule(l))] };
  }
  if (input.Conditions?.length) r.conditions = checkConditions(input.Conditions);
  if (input.Actions?.length) r.actions = checkActions(input.Actions, lb.type, tgLookup(ctx), lb.vpcId);
  ctx.tx.put(ctx.scope, KIND.rule, r.arn, r);
  return { Rules: [ruleShape(r)] };
};

export const setRulePriorities: Handler<SetRulePrioritiesInput, SetRulePrioritiesOutput> = (input, ctx) => {
  const asks = input.RulePriorities ?? [];
  if (!asks.length) throw validation('At least one rule priority must be specified');
  const changed: RuleRecord[] = [];
  for (const a of asks) {
    const r = findRule(ctx, a.RuleArn);
    if (r.priority === 'default') throw new AwsError('OperationNotPermitted', 'The default rule cannot be given a priority');
    changed.push({ ...r, priority: checkPriority(a.Priority) });
  }
  for (const r of changed) {
    const others = rulesOf(ctx, r.listenerArn).filter((o) => !changed.some((c) => c.arn === o.arn));
    const clash = others.some((o) => o.priority === r.priority) || changed.some((c) => c !== r && c.listenerArn === r.listenerArn && c.priority === r.priority);
    if (clash) throw new AwsError('PriorityInUse', `Priority '${r.priority}' is currently in use`);
  }
  for (const r of changed) ctx.tx.put(ctx.scope, KIND.rule, r.arn, r);
  return { Rules: changed.map(ruleShape) };
};

export const deleteRule: Handler<DeleteRuleInput, DeleteRuleOutput> = (input, ctx) => {
  const r = findRule(ctx, input.RuleArn);
  if (r.priority === 'default') throw new AwsError('OperationNotPermitted', 'The default rule cannot be deleted');
  ctx.tx.delete(ctx.scope, KIND.rule, r.arn);
  ctx.tx.delete(ctx.scope, KIND.tags, r.arn);
  return {};
};
