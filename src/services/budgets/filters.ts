/**
 * What a budget counts: its CostFilters (the classic map: keys ANDed, each key's values ORed,
 * tags as "user:KEY$VALUE") or its FilterExpression (Cost Explorer's Expression: And / Or / Not,
 * Dimensions, Tags), compiled once into a predicate over Cost Explorer's tagged items. Budgets
 * "use the same data filters as Cost Explorer": the dimension values, the expression rules and
 * the cost allocation tags (a tag filters only once it is active) are Cost Explorer's own
 * (src/services/ce). Pure.
 */
import { AwsError } from '../../core/errors.js';
import { dimensionValue, tagValue, type TaggedItem } from '../ce/dimensions.js';
import { compileExpression as ceCompile, type Expression } from '../ce/expression.js';

export type CostFilters = Record<string, string[]>;

export type { Expression };

export type Predicate = (t: TaggedItem) => boolean;

const invalid = (message: string): AwsError => new AwsError('InvalidParameterException', message);

/** The CostFilters keys budgets accept, and the Cost Explorer dimension each one is. */
export const COST_FILTER_KEYS: Readonly<Record<string, string>> = {
  AZ: 'AZ', BillingEntity: 'BILLING_ENTITY', InstanceType: 'INSTANCE_TYPE', InvoicingEntity: 'INVOICING_ENTITY',
  LegalEntityName: 'LEGAL_ENTITY_NAME', LinkedAccount: 'LINKED_ACCOUNT', Operation: 'OPERATION', PurchaseType: 'PURCHASE_TYPE',
  Region: 'REGION', Service: 'SERVICE', UsageType: 'USAGE_TYPE', UsageTypeGroup: 'USAGE_TYPE_GROUP',
};

/** Cost Explorer's usage type groups for the usage cloudlet meters ("EC2: Running Hours"). */
export function usageTypeGroup(usageType: string): string | undefined {
  const u = usageType.replace(/^[A-Z]{2,4}\d?-(?=[A-Za-z])/, '');
  if (/^(BoxUsage|SpotUsage|DedicatedUsage|HostUsage)(:|$)/.test(u)) return 'EC2: Running Hours';
  const vol = /^EBS:VolumeUsage(?:\.(\w+))?$/.exec(u);
  if (vol) return ({ gp2: 'EC2: EBS - SSD(gp2)', gp3: 'EC2: EBS - SSD(gp3)', io1: 'EC2: EBS - SSD(io1)', io2: 'EC2: EBS - SSD(io2)', st1: 'EC2: EBS - HDD(st1)', sc1: 'EC2: EBS - HDD(sc1)' } as Record<string, string>)[vol[1] ?? ''] ?? 'EC2: EBS - Magnetic';
  if (/^EBS:VolumeP-IOPS/.test(u)) return 'EC2: EBS - Provisioned IOPS';
  if (/^EBS:SnapshotUsage/.test(u)) return 'EC2: EBS - Snapshots';
  if (/^NatGateway-Hours$/.test(u)) return 'EC2: NAT Gateway - Running Hours';
  if (/^NatGateway-Bytes$/.test(u)) return 'EC2: NAT Gateway - Data Processed';
  if (/^TimedStorage-ByteHrs$/.test(u)) return 'S3: Storage - Standard';
  if (/^DataTransfer-Out-Bytes$/.test(u)) return 'EC2: Data Transfer - Internet (Out)';
  return undefined;
}

/** A dimension's value for an item: Cost Explorer's (the same data filters), plus the usage type group. */
function valueOf(t: TaggedItem, dim: string): string {
  return dim === 'USAGE_TYPE_GROUP' ? usageTypeGroup(t.item.line.usageType) ?? '' : dimensionValue(t, dim);
}

/** "user:team$web" -> ['team', 'web']; "user:team$" (untagged) -> ['team', '']. */
export function parseTagKeyValue(v: string): [string, string] {
  const m = /^(?:user:)?([^$]*)\$(.*)$/s.exec(v);
  if (!m || !m[1]) throw invalid(`Invalid TagKeyValue filter '${v}': expected user:KEY$VALUE (user:KEY$ for resources without the tag)`);
  return [m[1], m[2]!];
}

/** Validates the classic CostFilters and returns their predicate (all of the keys; any value of each). */
export function compileCostFilters(f: CostFilters): Predicate {
  const parts: Predicate[] = [];
  for (const [key, values] of Object.entries(f)) {
    if (!Array.isArray(values) || values.length === 0) throw invalid(`CostFilters ${key} must have at least one value`);
    if (key === 'TagKeyValue') {
      const pairs = values.map(parseTagKeyValue);
      parts.push((t) => pairs.some(([k, v]) => tagValue(t, k) === v));
      continue;
    }
    if (key === 'CostCategory') throw invalid('CostCategory filters name cost categories, which cloudlet does not have');
    const dim = COST_FILTER_KEYS[key];
    if (!dim) throw invalid(`Invalid cost filter key: ${key}. Valid keys: ${[...Object.keys(COST_FILTER_KEYS), 'TagKeyValue'].join(', ')}`);
    const set = new Set(values);
    parts.push((t) => set.has(valueOf(t, dim)));
  }
  return (i) => parts.every((p) => p(i));
}

/** A user tag key as budgets may write it ("user:team") -> as Cost Explorer keys it ("team"). */
function plainTagKeys(e: Expression): Expression {
  const out: Expression = { ...e };
  if (e.And) out.And = e.And.map(plainTagKeys);
  if (e.Or) out.Or = e.Or.map(plainTagKeys);
  if (e.Not) out.Not = plainTagKeys(e.Not);
  if (e.Tags?.Key) out.Tags = { ...e.Tags, Key: e.Tags.Key.replace(/^user:/, '') };
  return out;
}

/**
 * Validates a FilterExpression and returns its predicate: Cost Explorer's expression (the same
 * rules and messages), answered as Budgets answers, InvalidParameterException.
 */
export function compileExpression(e: Expression): Predicate {
  if (!e || typeof e !== 'object') throw invalid('FilterExpression must be an expression');
  try {
    return ceCompile(plainTagKeys(e));
  } catch (err) {
    if (err instanceof AwsError && err.code === 'ValidationException') throw invalid(err.message);
    throw err;
  }
}

/** The FilterExpression a budget's CostFilters amount to (what DescribeBudget shows with ShowFilterExpression). */
export function expressionOf(f: CostFilters): Expression | undefined {
  const parts: Expression[] = [];
  for (const [key, values] of Object.entries(f)) {
    if (key === 'TagKeyValue') {
      const byKey = new Map<string, string[]>();
      for (const [k, v] of values.map(parseTagKeyValue)) byKey.set(k, [...(byKey.get(k) ?? []), v]);
      const tags: Expression[] = [...byKey].map(([k, vs]) => ({ Tags: { Key: `user:${k}`, Values: vs, MatchOptions: ['EQUALS'] } }));
      parts.push(tags.length === 1 ? tags[0]! : { Or: tags });
    } else if (COST_FILTER_KEYS[key]) {
      parts.push({ Dimensions: { Key: COST_FILTER_KEYS[key]!, Values: values, MatchOptions: ['EQUALS'] } });
    }
  }
  if (parts.length === 0) return undefined;
  return parts.length === 1 ? parts[0] : { And: parts };
}

/** The predicate of a budget: its expression, else its cost filters, else everything. */
export function budgetPredicate(b: { costFilters?: CostFilters; filterExpression?: Expression }): Predicate {
  if (b.filterExpression) return compileExpression(b.filterExpression);
  if (b.costFilters && Object.keys(b.costFilters).length) return compileCostFilters(b.costFilters);
  return () => true;
}
