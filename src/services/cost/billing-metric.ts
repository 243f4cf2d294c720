/**
 * The "billing" fleet step: AWS/Billing EstimatedCharges, the month-to-date estimated charges in
 * USD, published in us-east-1 (for the account's usage in every Region) once "receive billing
 * alerts" is on (billing-prefs.ts): the total with dimension Currency=USD and one per service
 * with ServiceName=<product code>, Currency=USD. It resets at each calendar month (UTC).
 *
 * AWS publishes "several times daily"; cloudlet at each six-hour mark of its clock (00:00,
 * 06:00, 12:00, 18:00 UTC). The datapoint made at a mark is stamped one minute before it and
 * counts the charges up to that minute, so a billing alarm (period 21600, Maximum) evaluating
 * at the same mark sees the period that just ended: the step runs after the metrics step and
 * before the alarms step. The point made at 00:00 on the 1st closes the month before (its last
 * six hours), the one at 06:00 is the new month's first.
 *
 * Costs are read through forEachCostedUsage (Reserved Instances and Savings Plans applied), as
 * the bill charges them: unblended, rounded to the cent.
 */
import type { Tx } from '../../store/types.js';
import type { FleetStep } from '../fleet/engine.js';
import { putDatapoints } from '../cloudwatch/metrics-store.js';
import { forEachCostedUsage } from './commitments.js';
import { monthStart } from './usage.js';
import { BILLING_METRIC_KIND, BILLING_REGION, BILLING_SCHEDULE_ID, billingSchedule, nextMark, type BillingSchedule } from './billing-prefs.js';

export const BILLING_NAMESPACE = 'AWS/Billing';
export const ESTIMATED_CHARGES = 'EstimatedCharges';
/** How far before its mark a datapoint is stamped (the metric store keeps minutes). */
export const STAMP_BEFORE_MS = 60_000;

const cents = (usd: number): number => Math.round(usd * 100) / 100;

/** Month-to-date charges of an account in every Region as of `asOfMs`, per product code and in total. */
export function estimatedCharges(tx: Tx, account: string, asOfMs: number): { total: number; byService: Map<string, number> } {
  const byService = new Map<string, number>();
  let total = 0;
  forEachCostedUsage(tx, account, { startMs: monthStart(asOfMs), endMs: asOfMs }, 'NONE', asOfMs, (u) => {
    // Estimated charges are before credits: a new account's alarm still sees what it spends.
    if (u.itemType === 'Credit') return;
    byService.set(u.line.productCode, (byService.get(u.line.productCode) ?? 0) + u.unblendedCost);
    total += u.unblendedCost;
  });
  return { total: cents(total), byService: new Map([...byService].map(([k, v]) => [k, cents(v)])) };
}

/** Writes one publication: the total and each service's charges, stamped `stampMs`. */
export function publishEstimatedCharges(tx: Tx, account: string, stampMs: number): { total: number; byService: Map<string, number> } {
  const scope = { account, region: BILLING_REGION };
  const charges = estimatedCharges(tx, account, stampMs);
  const put = (dims: Array<{ Name: string; Value: string }>, value: number) =>
    putDatapoints(tx, scope, { namespace: BILLING_NAMESPACE, name: ESTIMATED_CHARGES, dimensions: dims }, 'None', [{ atMs: stampMs, value }]);
  put([{ Name: 'Currency', Value: 'USD' }], charges.total);
  for (const [service, usd] of charges.byService) put([{ Name: 'ServiceName', Value: service }, { Name: 'Currency', Value: 'USD' }], usd);
  return charges;
}

export const billingStep: FleetStep = {
  name: 'billing',
  nextDue(tx, scope) {
    if (scope.region !== BILLING_REGION) return undefined;
    return billingSchedule(tx, scope.account)?.nextMs;
  },
  run(sys, atMs) {
    const { tx, scope } = sys;
    publishEstimatedCharges(tx, scope.account, atMs - STAMP_BEFORE_MS);
    tx.put(scope, BILLING_METRIC_KIND, BILLING_SCHEDULE_ID, { nextMs: nextMark(atMs) } satisfies BillingSchedule);
  },
};
