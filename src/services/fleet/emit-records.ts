/**
 * The metrics step's own rows (per {account, region}): one state row (kind fleet:metrics, id
 * 'state') with the next instant the step runs and, per instance it follows, its credit state
 * and what it accumulated since the last 5-minute credit report; nextDue reads the small 'due' row.
 */
import type { Scope, Tx } from '../../store/types.js';
import type { CreditMode, CreditState } from './credits.js';

export const METRICS_KIND = 'fleet:metrics';
export const METRICS_STATE_ID = 'state';
/**
 * A copy of the state's nextMs and lastMs in a row of their own: the engine asks every step
 * when it is next due several times per instant, and this row is a few bytes where the state
 * holds every instance it follows. Written with the state; absent in state from before it existed.
 */
export const METRICS_DUE_ID = 'due';

export interface InstanceTrack {
  type: string;
  /** i.runs.length when last seen: a new run (a start after a stop) is a new length. */
  runs: number;
  mode?: CreditMode;
  credits?: CreditState;
  /** Since the last 5-minute credit report: credits spent and surplus charged. */
  usage: number;
  charged: number;
  /** The last emitted CPU (%). */
  cpu: number;
}

export interface MetricsState {
  /** The next instant the step runs; absent: nothing to emit until something runs again. */
  nextMs?: number;
  lastMs: number;
  inst: Record<string, InstanceTrack>;
  /** T3/T3a/T4g balances kept after a stop (seven days). */
  stopped: Record<string, { credits: CreditState; stoppedMs: number }>;
}

export const metricsState = (tx: Tx, scope: Scope): MetricsState | undefined =>
  tx.get<MetricsState>(scope, METRICS_KIND, METRICS_STATE_ID);

export type MetricsDue = Pick<MetricsState, 'nextMs' | 'lastMs'>;

export function putMetricsState(tx: Tx, scope: Scope, st: MetricsState): void {
  tx.put(scope, METRICS_KIND, METRICS_STATE_ID, st);
  tx.put(scope, METRICS_KIND, METRICS_DUE_ID, { lastMs: st.lastMs, ...(st.nextMs !== undefined ? { nextMs: st.nextMs } : {}) } satisfies MetricsDue);
}

/** When the step is next due and what it last covered (from the small row; the state row where that is absent). */
export const metricsDue = (tx: Tx, scope: Scope): MetricsDue | undefined =>
  tx.get<MetricsDue>(scope, METRICS_KIND, METRICS_DUE_ID) ?? metricsState(tx, scope);
