/**
 * While the server runs, the fleet is settled as real time passes (alarms fire, groups scale,
 * notifications go out) without waiting for an API call: every second, one short transaction
 * reads the index of scopes with due work; only when one is due are the steps loaded and run.
 */
import type { Clock } from '../../core/clock.js';
import type { Logger } from '../../core/log.js';
import type { BlobStore, Store } from '../../store/types.js';
import { settleAllDue } from './engine.js';

export const FLEET_TICK_MS = 1000;

export const loadFleetSteps = async () => (await import('./steps.js')).FLEET_STEPS;

/** Settles what is due now (for the timer and for clock moves). Never throws: failures are logged. */
export async function settleFleet(env: { store: Store; blobs: BlobStore; log: Logger; clock: Clock }): Promise<void> {
  try {
    await settleAllDue(env.store, env.blobs, env.log, env.clock.nowMs(), loadFleetSteps);
  } catch (err) {
    env.log.warn('fleet settle failed', { error: String((err as Error)?.stack ?? err) });
  }
}

/** Starts the timer; `stop` ends it and waits for a tick in flight. Ticks never overlap. */
export function startFleetTimer(env: { store: Store; blobs: BlobStore; log: Logger; clock: Clock }): { stop(): Promise<void> } {
  let running: Promise<void> | undefined;
  const t = setInterval(() => {
    if (running) return;
    running = settleFleet(env).finally(() => { running = undefined; });
  }, FLEET_TICK_MS);
  t.unref();
  return { stop: async () => { clearInterval(t); await running; } };
}
