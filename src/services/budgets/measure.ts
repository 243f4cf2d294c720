/**
 * How much one usage item adds to a budget: a COST budget adds the item's cost in the view its
 * CostTypes (or Metrics) choose — unblended by default, amortized, blended — leaving out the fee
 * items its CostTypes exclude; a USAGE budget adds the item's quantity in its unit (or hours,
 * or normalized units). Pure.
 */
import { isUsage, normalizedUsage } from '../ce/dimensions.js';
import type { CostedItem } from '../cost/commitments.js';

export interface CostTypes {
  IncludeTax?: boolean; IncludeSubscription?: boolean; UseBlended?: boolean; IncludeRefund?: boolean; IncludeCredit?: boolean;
  IncludeUpfront?: boolean; IncludeRecurring?: boolean; IncludeOtherSubscription?: boolean; IncludeSupport?: boolean;
  IncludeDiscount?: boolean; UseAmortized?: boolean;
}

/** What a COST budget without CostTypes shows (AWS's defaults: everything included, unblended). */
export const DEFAULT_COST_TYPES: Required<CostTypes> = {
  IncludeTax: true, IncludeSubscription: true, UseBlended: false, IncludeRefund: true, IncludeCredit: true, IncludeUpfront: true,
  IncludeRecurring: true, IncludeOtherSubscription: true, IncludeSupport: true, IncludeDiscount: true, UseAmortized: false,
};

export type BudgetType = 'COST' | 'USAGE';

export interface Measure { type: BudgetType; costTypes?: CostTypes; metric?: string }

/** The measure's value of one item (0 for items the budget's cost types leave out). */
export function measureOf(m: Measure, i: CostedItem): number {
  if (m.type === 'USAGE') {
    // Usage records only: fees and negations are not usage.
    if (!isUsage(i)) return 0;
    if (m.metric === 'Hours') return i.hours;
    if (m.metric === 'NormalizedUsageAmount') return normalizedUsage(i);
    return i.quantity;
  }
  const ct = { ...DEFAULT_COST_TYPES, ...(m.costTypes ?? {}) };
  if (!ct.IncludeUpfront && i.itemType === 'Fee') return 0;
  if (!ct.IncludeCredit && i.itemType === 'Credit') return 0;
  if (!ct.IncludeRecurring && (i.itemType === 'RIFee' || i.itemType === 'SavingsPlanRecurringFee')) return 0;
  switch (m.metric) {
    case 'AmortizedCost': case 'NetAmortizedCost': return i.amortizedCost;
    case 'BlendedCost': return i.blendedCost;
    case 'UnblendedCost': case 'NetUnblendedCost': return i.unblendedCost;
    default: return ct.UseAmortized ? i.amortizedCost : ct.UseBlended ? i.blendedCost : i.unblendedCost;
  }
}
