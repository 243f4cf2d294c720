/**
 * The account's billing preferences. AWS sets "Receive billing alerts" in the Billing console
 * only (no public API), so cloudlet sets it through its admin API (POST /_cloudlet/billing,
 * `cloudlet billing-alerts on`). Once on, the billing step (billing-metric.ts) publishes the
 * AWS/Billing EstimatedCharges metric in us-east-1 every six hours of clock.
 *
 * AWS: "After you enable billing alerts, you can't disable data collection, but you can delete
 * any billing alarms that you created." So turning it off is refused unless the caller insists
 * (`force`: cloudlet only, for test setups that want a clean account without a reset).
 *
 * Rows:
 *   {account, ''}          cost:preferences     id 'account'   BillingPreferences (one row; other
 *                                                              preferences may join it: writes merge)
 *   {account, us-east-1}   cost:billing-metric  id 'schedule'  { nextMs } the next publication
 */
import type { Tx } from '../../store/types.js';
import { poke } from '../fleet/engine.js';

export const PREFERENCES_KIND = 'cost:preferences';
export const PREFERENCES_ID = 'account';
export const BILLING_METRIC_KIND = 'cost:billing-metric';
export const BILLING_SCHEDULE_ID = 'schedule';
/** Billing metric data is stored in US East (N. Virginia) and covers the account's charges worldwide. */
export const BILLING_REGION = 'us-east-1';
/** AWS publishes "several times daily"; cloudlet at 00:00, 06:00, 12:00 and 18:00 UTC of its clock. */
export const PUBLISH_EVERY_MS = 6 * 3_600_000;

export interface BillingPreferences {
  receiveBillingAlerts?: boolean;
  /** When billing alerts were turned on (cloudlet clock ms). */
  billingAlertsSinceMs?: number;
  [other: string]: unknown;
}

export interface BillingSchedule { nextMs: number }

export class BillingPreferenceError extends Error {
  constructor(readonly code: string, message: string, readonly status = 400) { super(message); }
}

export const billingScope = (account: string) => ({ account, region: BILLING_REGION });

/** The first publication mark strictly after `ms`. */
export const nextMark = (ms: number): number => (Math.floor(ms / PUBLISH_EVERY_MS) + 1) * PUBLISH_EVERY_MS;

export function preferences(tx: Tx, account: string): BillingPreferences {
  return tx.get<BillingPreferences>({ account, region: '' }, PREFERENCES_KIND, PREFERENCES_ID) ?? {};
}

export function billingSchedule(tx: Tx, account: string): BillingSchedule | undefined {
  return tx.get<BillingSchedule>(billingScope(account), BILLING_METRIC_KIND, BILLING_SCHEDULE_ID);
}

/** What the admin API answers about one account. */
export function billingView(tx: Tx, account: string): Record<string, unknown> {
  const p = preferences(tx, account);
  const s = billingSchedule(tx, account);
  return {
    account,
    receiveBillingAlerts: p.receiveBillingAlerts === true,
    ...(p.billingAlertsSinceMs !== undefined ? { since: new Date(p.billingAlertsSinceMs).toISOString() } : {}),
    ...(s ? { nextPublication: new Date(s.nextMs).toISOString(), region: BILLING_REGION, namespace: 'AWS/Billing', metric: 'EstimatedCharges' } : {}),
  };
}

/**
 * Turns billing alerts on (from the next six-hour mark; on again changes nothing) or off (refused
 * as on AWS unless `force`). Returns whether anything changed.
 */
export function setBillingAlerts(tx: Tx, account: string, on: boolean, nowMs: number, force = false): boolean {
  const p = preferences(tx, account);
  const scope = { account, region: '' };
  if (on) {
    if (p.receiveBillingAlerts === true && billingSchedule(tx, account)) return false;
    tx.put(scope, PREFERENCES_KIND, PREFERENCES_ID, { ...p, receiveBillingAlerts: true, billingAlertsSinceMs: p.billingAlertsSinceMs ?? nowMs } satisfies BillingPreferences);
    const nextMs = nextMark(nowMs);
    tx.put(billingScope(account), BILLING_METRIC_KIND, BILLING_SCHEDULE_ID, { nextMs } satisfies BillingSchedule);
    poke(tx, billingScope(account), nextMs);
    return true;
  }
  if (p.receiveBillingAlerts !== true) return false;
  if (!force) {
    throw new BillingPreferenceError('BillingAlertsCannotBeDisabled',
      "billing alerts are on for this account: as on AWS, after you enable billing alerts you can't disable data collection (delete the billing alarms instead; force: true turns it off in cloudlet only)", 409);
  }
  const { receiveBillingAlerts: _on, billingAlertsSinceMs: _since, ...rest } = p;
  if (Object.keys(rest).length) tx.put(scope, PREFERENCES_KIND, PREFERENCES_ID, rest);
  else tx.delete(scope, PREFERENCES_KIND, PREFERENCES_ID);
  tx.delete(billingScope(account), BILLING_METRIC_KIND, BILLING_SCHEDULE_ID);
  return true;
}
