/**
 * The CloudWatch alarms API: PutMetricAlarm, PutCompositeAlarm, SetAlarmState,
 * Enable/DisableAlarmActions, DeleteAlarms, tags on alarms, and the Describe operations
 * (alarms-describe.ts, alarms-history.ts). Evaluation runs in the fleet step (alarms-step.ts).
 */
import type {
  DeleteAlarmsInput, DisableAlarmActionsInput, EnableAlarmActionsInput, ListTagsForResourceInput, ListTagsForResourceOutput,
  PutCompositeAlarmInput, SetAlarmStateInput, TagResourceInput, UntagResourceInput,
} from '@aws-sdk/client-cloudwatch';
import { AwsError } from '../../core/errors.js';
import type { Handler, RequestContext } from '../types.js';
import { defaultPorts } from './alarm-ports.js';
import { describeAlarms, describeAlarmsForMetric } from './alarms-describe.js';
import { addHistory, configHistory, describeAlarmHistory } from './alarms-history.js';
import {
  getAlarm, parentsOf, saveAlarm, setChildren,
  type AlarmRecord, type AlarmState, type CompositeAlarmRecord,
} from './alarms-records.js';
import { parseRule, ruleAlarms, alarmNameOf } from './alarms-rule.js';
import { evaluateComposite, propagate, transition } from './alarms-step.js';
import { addCount, common, putMetricAlarm, removeAlarms } from './alarms-service.js';
import { checkName, checkTags, required } from './alarms-validate.js';

const STATES: AlarmState[] = ['OK', 'ALARM', 'INSUFFICIENT_DATA'];

const putCompositeAlarm: Handler<PutCompositeAlarmInput, object> = (input, ctx) => {
  const before = input.AlarmName ? getAlarm(ctx.tx, ctx.scope, input.AlarmName) : undefined;
  required('AlarmRule', input.AlarmRule);
  if (input.AlarmRule!.length > 10240) throw new AwsError('ValidationError', "1 validation error detected: Value at 'alarmRule' failed to satisfy constraint: Member must have length less than or equal to 10240");
  const { now, ...base } = common(ctx, input, before, false, true);
  const children = [...ruleAlarms(parseRule(input.AlarmRule!))];
  for (const c of children) {
    if (c === base.name) throw new AwsError('InvalidParameterValue', `Error in alarm rule: the composite alarm ${base.name} cannot reference itself.`);
    if (!getAlarm(ctx.tx, ctx.scope, c)) throw new AwsError('InvalidParameterValue', `Error in alarm rule: alarm '${c}' does not exist.`);
    if (reaches(ctx, c, base.name)) throw new AwsError('InvalidParameterValue', `Error in alarm rule: alarm '${c}' would create a cycle of composite alarms.`);
  }
  const suppressor = input.ActionsSuppressor ? alarmNameOf(input.ActionsSuppressor) : undefined;
  if (suppressor && !getAlarm(ctx.tx, ctx.scope, suppressor)) throw new AwsError('InvalidParameterValue', `The ActionsSuppressor alarm ${suppressor} does not exist.`);
  if (!suppressor && (input.ActionsSuppressorWaitPeriod !== undefined || input.ActionsSuppressorExtensionPeriod !== undefined)) {
    throw new AwsError('InvalidParameterCombination', 'ActionsSuppressorWaitPeriod and ActionsSuppressorExtensionPeriod require ActionsSuppressor.');
  }
  const c: CompositeAlarmRecord = {
    ...base, type: 'CompositeAlarm', rule: input.AlarmRule!, children,
    ...(suppressor ? { suppressor, suppressorWaitS: input.ActionsSuppressorWaitPeriod ?? 60, suppressorExtensionS: input.ActionsSuppressorExtensionPeriod ?? 60 } : {}),
  };
  setChildren(ctx.tx, ctx.scope, c.name, before?.type === 'CompositeAlarm' ? before.children : [], children);
  if (!before) addCount(ctx, 1);
  addHistory(ctx.tx, ctx.scope, configHistory(c, now, before ? 'Update' : 'Create', before));
  // A composite follows its children at once: evaluated now, and again whenever one changes.
  const changed = transition(ctx, defaultPorts, c, evaluateComposite(ctx.tx, ctx.scope, c), now);
  saveAlarm(ctx.tx, ctx.scope, c, before);
  if (changed) propagate(ctx, defaultPorts, [c.name], now);
  return {};
};

/** Whether `from` is `target` or has it among its descendants (a rule naming it would close a cycle). */
function reaches(ctx: RequestContext, from: string, target: string): boolean {
  const seen = new Set<string>();
  const stack = [target];
  while (stack.length) {
    const n = stack.pop()!;
    if (n === from) return true;
    if (seen.has(n)) continue;
    seen.add(n);
    stack.push(...parentsOf(ctx.tx, ctx.scope, n));
  }
  return false;
}

const setAlarmState: Handler<SetAlarmStateInput, object> = (input, ctx) => {
  const name = checkName(input.AlarmName);
  required('StateValue', input.StateValue);
  required('StateReason', input.StateReason);
  if (!STATES.includes(input.StateValue as AlarmState)) {
    throw new AwsError('ValidationError', `1 validation error detected: Value '${input.StateValue}' at 'stateValue' failed to satisfy constraint: Member must satisfy enum value set: [OK, ALARM, INSUFFICIENT_DATA]`);
  }
  if (input.StateReason!.length > 1023) throw new AwsError('ValidationError', "1 validation error detected: Value at 'stateReason' failed to satisfy constraint: Member must have length less than or equal to 1023");
  if (input.StateReasonData !== undefined) {
    try { JSON.parse(input.StateReasonData); } catch { throw new AwsError('InvalidFormat', 'StateReasonData is not valid JSON.'); }
  }
  const a = getAlarm(ctx.tx, ctx.scope, name);
  if (!a) throw new AwsError('ResourceNotFound', `Alarm ${name} not found`, 404);
  const before = { ...a };
  const now = ctx.clock.nowMs();
  const next = { state: input.StateValue as AlarmState, reason: input.StateReason!, reasonData: input.StateReasonData ?? '' };
  // The state holds until the next evaluation, which sets it from the data again (as on AWS).
  if (!transition(ctx, defaultPorts, a, next, now)) {
    a.stateReason = next.reason;
    a.stateReasonData = next.reasonData;
    a.stateUpdatedMs = now;
  }
  saveAlarm(ctx.tx, ctx.scope, a, before);
  if (a.state !== before.state) propagate(ctx, defaultPorts, [a.name], now);
  return {};
};

function names(list: string[] | undefined): string[] {
  const out = list ?? [];
  if (out.length > 100) throw new AwsError('ValidationError', "1 validation error detected: Value at 'alarmNames' failed to satisfy constraint: Member must have length less than or equal to 100");
  return out;
}

const setActions = (enabled: boolean): Handler<EnableAlarmActionsInput | DisableAlarmActionsInput, object> => (input, ctx) => {
  required('AlarmNames', input.AlarmNames);
  for (const n of names(input.AlarmNames)) {
    const a = getAlarm(ctx.tx, ctx.scope, n);
    if (!a || a.actionsEnabled === enabled) continue;
    a.actionsEnabled = enabled;
    a.configUpdatedMs = ctx.clock.nowMs();
    saveAlarm(ctx.tx, ctx.scope, a);
  }
  return {};
};

const deleteAlarms: Handler<DeleteAlarmsInput, object> = (input, ctx) => {
  required('AlarmNames', input.AlarmNames);
  const list = [...new Set(names(input.AlarmNames))];
  const found = list.map((n) => getAlarm(ctx.tx, ctx.scope, n));
  const missing = list.filter((_, i) => !found[i]);
  if (missing.length) throw new AwsError('ResourceNotFound', `${missing.length} of ${list.length} alarms were not found: [${missing.join(', ')}]`, 404);
  for (const a of found as AlarmRecord[]) {
    const parents = parentsOf(ctx.tx, ctx.scope, a.name).filter((p) => !list.includes(p));
    if (parents.length) {
      throw new AwsError('ValidationError', `Alarm ${a.name} is referenced in the rule of composite alarm ${parents[0]}; delete or update that alarm first.`);
    }
  }
  removeAlarms(ctx, found as AlarmRecord[]);
  return {};
};

const ARN = /^arn:aws[\w-]*:cloudwatch:([a-z0-9-]+):(\d{12}):alarm:(.+)$/;

function alarmOfArn(ctx: RequestContext, arn: string | undefined): AlarmRecord {
  required('ResourceARN', arn);
  const m = ARN.exec(arn!);
  if (!m) {
    if (/^arn:aws[\w-]*:cloudwatch:[a-z0-9-]+:\d{12}:insight-rule\//.test(arn!)) throw new AwsError('ResourceNotFoundException', `The resource ${arn} does not exist.`, 404);
    throw new AwsError('InvalidParameterValue', `Invalid value for ResourceARN: ${arn}`);
  }
  const a = m[1] === ctx.region && m[2] === ctx.account ? getAlarm(ctx.tx, ctx.scope, m[3]!) : undefined;
  if (!a) throw new AwsError('ResourceNotFoundException', `The resource ${arn} does not exist.`, 404);
  return a;
}

const tagResource: Handler<TagResourceInput, object> = (input, ctx) => {
  const a = alarmOfArn(ctx, input.ResourceARN);
  required('Tags', input.Tags);
  const add = checkTags(input.Tags as never);
  const tags = new Map(a.tags.map((t) => [t.Key, t.Value]));
  for (const t of add) tags.set(t.Key, t.Value);
  if (tags.size > 50) throw new AwsError('InvalidParameterValue', 'A resource can have at most 50 tags.');
  a.tags = [...tags].map(([Key, Value]) => ({ Key, Value }));
  saveAlarm(ctx.tx, ctx.scope, a);
  return {};
};

const untagResource: Handler<UntagResourceInput, object> = (input, ctx) => {
  const a = alarmOfArn(ctx, input.ResourceARN);
  required('TagKeys', input.TagKeys);
  const drop = new Set(input.TagKeys);
  a.tags = a.tags.filter((t) => !drop.has(t.Key));
  saveAlarm(ctx.tx, ctx.scope, a);
  return {};
};

const listTagsForResource: Handler<ListTagsForResourceInput, ListTagsForResourceOutput> = (input, ctx) => ({ Tags: alarmOfArn(ctx, input.ResourceARN).tags });

export const alarmHandlers: Record<string, Handler> = {
  PutMetricAlarm: putMetricAlarm,
  PutCompositeAlarm: putCompositeAlarm,
  DescribeAlarms: describeAlarms,
  DescribeAlarmsForMetric: describeAlarmsForMetric,
  DescribeAlarmHistory: describeAlarmHistory,
  SetAlarmState: setAlarmState,
  EnableAlarmActions: setActions(true),
  DisableAlarmActions: setActions(false),
  DeleteAlarms: deleteAlarms,
  TagResource: tagResource,
  UntagResource: untagResource,
  ListTagsForResource: listTagsForResource,
};
