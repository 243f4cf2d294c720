/**
 * The state AWS would report for an instance, derived from its record and the clock (records.ts
 * says why life cycles are timestamps, not ticks). Pure: no store access.
 */
import type { InstanceRecord, InstanceStateName } from './records.js';

/** AWS's numeric state codes (the low byte of InstanceState.Code). */
export const STATE_CODE: Record<InstanceStateName, number> = {
  pending: 0, running: 16, 'shutting-down': 32, terminated: 48, stopping: 64, stopped: 80,
};

/** How long terminated instances stay visible in DescribeInstances. */
export const TERMINATED_VISIBLE_MS = 3_600_000;

export function instanceState(i: Pick<InstanceRecord, 'phase' | 'doneMs'>, nowMs: number): InstanceStateName {
  const done = nowMs >= i.doneMs;
  switch (i.phase) {
    case 'start': return done ? 'running' : 'pending';
    case 'stop': return done ? 'stopped' : 'stopping';
    case 'terminate': return done ? 'terminated' : 'shutting-down';
  }
}

/** Terminated long enough ago that AWS no longer lists it. */
export const instanceExpired = (i: Pick<InstanceRecord, 'phase' | 'doneMs'>, nowMs: number): boolean =>
  i.phase === 'terminate' && nowMs - i.doneMs >= TERMINATED_VISIBLE_MS;

/** Running or pending: holds vCPUs against the quota and can have volumes attached to it. */
export const isLive = (s: InstanceStateName): boolean => s === 'pending' || s === 'running';
