/**
 * What Auto Scaling calls in the other fleet services (the module APIs of the shared brief):
 * ELB target registration and health, SNS publishes, CloudWatch alarms for target tracking.
 * Loaded once when this module loads; a service whose module is not there (yet) is skipped
 * — the group still keeps its capacity.
 */
import type { RequestContext } from '../types.js';
import type { Scope, Tx } from '../../store/types.js';

type Target = { id: string; port?: number };
export interface ElbApi {
  registerFromService(sys: RequestContext, tg: string, targets: Target[]): void;
  deregisterFromService(sys: RequestContext, tg: string, targets: Target[]): void;
  targetHealthOf(tx: Tx, scope: Scope, tg: string, nowMs: number): Array<{ id: string; port: number; state: string; reason?: string; description?: string }>;
}
export interface SnsApi {
  publishFromService(sys: RequestContext, topicArn: string, m: { subject?: string; message: string }): { messageId: string } | { error: string };
}
/** The alarms module's entry points for alarms a service owns (names tried in order). */
export interface AlarmsApi { [name: string]: unknown }

async function tryImport<T>(path: string): Promise<T | undefined> {
  try { return (await import(path)) as T; } catch { return undefined; }
}

export const elb = await tryImport<ElbApi>('../elbv2/targets.js');
export const sns = await tryImport<SnsApi>('../sns/publish.js');
const alarmModules = [
  await tryImport<AlarmsApi>('../cloudwatch/alarms.js'),
  await tryImport<AlarmsApi>('../cloudwatch/alarms-store.js'),
  await tryImport<AlarmsApi>('../cloudwatch/alarms-service.js'),
].filter((m): m is AlarmsApi => m !== undefined);

function alarmFn(names: string[]): ((...a: unknown[]) => unknown) | undefined {
  for (const m of alarmModules) for (const n of names) if (typeof m[n] === 'function') return m[n] as (...a: unknown[]) => unknown;
  return undefined;
}

/** Creates (or replaces) an alarm on behalf of Auto Scaling, with PutMetricAlarm's input. False when no alarms code is there. */
export function putAlarmFromService(sys: RequestContext, input: Record<string, unknown>): boolean {
  const f = alarmFn(['putAlarmFromService', 'putMetricAlarmFromService', 'createAlarmFromService']);
  if (!f) return false;
  f(sys, input);
  return true;
}

export function deleteAlarmsFromService(sys: RequestContext, names: string[]): void {
  const f = alarmFn(['deleteAlarmsFromService', 'deleteAlarmFromService']);
  if (f) f(sys, names);
}

export function safely(sys: RequestContext, what: string, fn: () => void): void {
  try { fn(); } catch (e) { sys.log.warn(`autoscaling: ${what} failed`, { error: String((e as Error)?.message ?? e) }); }
}
