/**
 * What Cost Explorer's dimensions say about one costed usage item: the values GroupBy groups by,
 * Filter matches and GetDimensionValues lists. Names and the placeholder values for usage a
 * dimension does not apply to ("NoInstanceType") follow what Cost Explorer returns.
 */
import type { CostedItem } from '../cost/commitments.js';
import { normalizationFactor } from '../cost/normalization.js';

export { normalizationFactor };

/** A costed item with the cost allocation tags in force for it (only active tags; see tags.ts). */
export interface TaggedItem {
  item: CostedItem;
  tags: Readonly<Record<string, string>>;
}

/** The DIMENSION keys GetCostAndUsage groups by, in the order AWS's error message lists them. */
export const GROUP_DIMENSIONS = [
  'AZ', 'INSTANCE_TYPE', 'LINKED_ACCOUNT', 'OPERATION', 'PURCHASE_TYPE', 'SERVICE', 'USAGE_TYPE', 'PLATFORM', 'TENANCY',
  'RECORD_TYPE', 'LEGAL_ENTITY_NAME', 'INVOICING_ENTITY', 'DEPLOYMENT_OPTION', 'DATABASE_ENGINE', 'CACHE_ENGINE',
  'INSTANCE_TYPE_FAMILY', 'REGION', 'BILLING_ENTITY', 'RESERVATION_ID', 'SAVINGS_PLANS_TYPE', 'SAVINGS_PLAN_ARN', 'OPERATING_SYSTEM',
] as const;

const PURCHASE: Record<string, string> = {
  ReservedInstances: 'Standard Reserved Instances',
  SavingsPlan: 'Savings Plans',
};

const TENANCY: Record<string, string> = { default: 'Shared', dedicated: 'Dedicated', host: 'Host' };

/** The item's value of a dimension ('' where the dimension does not apply and AWS has no placeholder). */
export function dimensionValue(t: TaggedItem, key: string): string {
  const { item } = t;
  const line = item.line;
  const inst = 'instance' in line ? line.instance : undefined;
  switch (key) {
    case 'SERVICE': return line.service;
    case 'SERVICE_CODE': return line.productCode;
    case 'USAGE_TYPE': return line.usageType;
    case 'OPERATION': return line.operation;
    case 'REGION': return line.region || 'global';
    case 'AZ': return inst?.zoneName ?? 'NoAZ';
    case 'INSTANCE_TYPE': return inst?.type ?? 'NoInstanceType';
    case 'INSTANCE_TYPE_FAMILY': return inst ? inst.type.split('.')[0]! : 'NoInstanceTypeFamily';
    case 'LINKED_ACCOUNT': case 'PAYER_ACCOUNT': return item.account;
    case 'LINKED_ACCOUNT_NAME': return item.account;
    case 'PURCHASE_TYPE':
      if (item.coveredBy) return PURCHASE[item.coveredBy.type] ?? 'On Demand Instances';
      return inst?.purchase === 'Spot' ? 'Spot Instances' : 'On Demand Instances';
    case 'RECORD_TYPE': return item.itemType;
    case 'PLATFORM': return inst?.platform ?? 'NoPlatform';
    case 'OPERATING_SYSTEM': return inst ? (inst.platform === 'Windows' ? 'Windows' : 'Linux') : 'NoOperatingSystem';
    case 'TENANCY': return inst ? TENANCY[inst.tenancy] ?? 'Shared' : 'NoTenancy';
    case 'RESOURCE_ID': return line.resourceId;
    case 'BILLING_ENTITY': return 'AWS';
    case 'LEGAL_ENTITY_NAME': case 'INVOICING_ENTITY': return 'Amazon Web Services, Inc.';
    case 'RESERVATION_ID': return item.coveredBy?.type === 'ReservedInstances' ? item.coveredBy.id : 'NoReservationId';
    case 'SAVINGS_PLAN_ARN': return item.coveredBy?.type === 'SavingsPlan' ? item.coveredBy.arn ?? item.coveredBy.id : 'NoSavingsPlanArn';
    // Cost Explorer's values: ComputeSavingsPlans, EC2InstanceSavingsPlans.
    case 'SAVINGS_PLANS_TYPE': return item.coveredBy?.type === 'SavingsPlan' ? `${item.coveredBy.planType ?? 'Compute'}SavingsPlans` : 'NoSavingsPlansType';
    default: return '';
  }
}

/** The item's value of a cost allocation tag: '' when the resource lacks it or the tag is not active. */
export const tagValue = (t: TaggedItem, key: string): string => t.tags[key] ?? '';

/** Usage records (not fees or negations) count toward UsageQuantity. */
export const isUsage = (item: CostedItem): boolean =>
  item.itemType === 'Usage' || item.itemType === 'DiscountedUsage' || item.itemType === 'SavingsPlanCoveredUsage';

/** Instance hours times the size's normalization factor; 0 for anything not an instance. */
export function normalizedUsage(item: CostedItem): number {
  const inst = 'instance' in item.line ? item.line.instance : undefined;
  return inst && isUsage(item) ? item.hours * normalizationFactor(inst.type) : 0;
}
