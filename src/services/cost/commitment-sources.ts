/**
 * The commitments an account holds over a window, read from their services' rows: Reserved
 * Instances (EC2, each Region's 'ec2:reserved-instances') and Savings Plans (the account-wide
 * 'savingsplans:plan'), with what they cost per hour and the line their fees are billed on.
 * Fee lines follow the Cost and Usage Report: an RI's fees on "HeavyUsage:TYPE" of EC2 compute;
 * a Savings Plan's on "ComputeSP:1yrNoUpfront" (Compute, Region-less) or
 * "EC2SP:FAMILY.1yrNoUpfront" (EC2 Instance, with its Region's prefix) of product
 * ComputeSavingsPlans.
 */
import type { Tx } from '../../store/types.js';
import type { ReservedInstancesRecord } from '../ec2/compute/records.js';
import { COMPUTE_KIND } from '../ec2/compute/records.js';
import { PLAN, planScope, type SavingsPlanRecord } from '../savingsplans/records.js';
import { paymentTag, savingsPlanRate, termTag, type PaymentOption, type PlanType } from '../savingsplans/rates.js';
import { ec2Tags, SERVICE } from './lines.js';
import type { Commitment, UsageClass } from './matching.js';
import { usageType } from './prices.js';
import type { Line } from './types.js';

const HOUR = 3_600_000;

export const SAVINGS_PLANS_SERVICE = { service: 'Savings Plans for AWS Compute usage', productCode: 'ComputeSavingsPlans' } as const;

/** Plans in these states never applied (or were returned: AWS re-rates their usage On-Demand). */
const VOID_STATES = new Set(['queued-deleted', 'returned', 'pending-return', 'payment-failed']);

export interface Held {
  k: Commitment;
  startMs: number;
  endMs: number;
  /** Per hour: an RI's instance count; a Savings Plan's USD commitment. */
  capacity: number;
  /** The whole upfront payment, USD. */
  upfront: number;
  /** Recurring fee, USD per hour of the term (all instances of an RI). */
  recurringHourly: number;
  termHours: number;
  /** USD of amortized cost per unit of capacity used: an RI's effective rate per instance hour, 1 for a plan. */
  effectivePerUnit: number;
  feeLine: Line;
  coveredBy: { type: 'ReservedInstances' | 'SavingsPlan'; id: string; arn: string; planType?: 'Compute' | 'EC2Instance' };
  recurringType: 'RIFee' | 'SavingsPlanRecurringFee';
  upfrontType: 'Fee' | 'SavingsPlanUpfrontFee';
}

const platformOf = (product: string): 'Linux/UNIX' | 'Windows' => (product.startsWith('Windows') ? 'Windows' : 'Linux/UNIX');

function reservation(tx: Tx, account: string, region: string, r: ReservedInstancesRecord): Held {
  const platform = platformOf(r.productDescription);
  const termHours = r.durationS / 3600;
  const k: Commitment = { kind: 'ri', id: r.id, region, type: r.instanceType, platform, tenancy: r.tenancy, ...(r.zoneName ? { zoneName: r.zoneName } : {}) };
  const ut = usageType(region, `HeavyUsage:${r.instanceType}`);
  return {
    k, startMs: r.startMs, endMs: r.endMs, capacity: r.count, upfront: r.fixedPrice * r.count,
    recurringHourly: r.recurringHourly * r.count, termHours,
    effectivePerUnit: r.fixedPrice / termHours + r.recurringHourly,
    feeLine: {
      key: ut, ...SERVICE.compute, usageType: ut, operation: platform === 'Windows' ? 'RunInstances:0002' : 'RunInstances', unit: 'Hrs',
      accrual: 'hours', quantity: r.count, rate: r.recurringHourly, fromMs: r.startMs, resourceId: r.id, region, tags: ec2Tags(tx, { account, region }, r.id),
      instance: { type: r.instanceType, platform, tenancy: r.tenancy, zoneName: r.zoneName ?? '', purchase: 'OnDemand' },
    },
    coveredBy: { type: 'ReservedInstances', id: r.id, arn: `arn:aws:ec2:${region}:${account}:reserved-instances/${r.id}` },
    recurringType: 'RIFee', upfrontType: 'Fee',
  };
}

function plan(p: SavingsPlanRecord): Held | undefined {
  const startMs = Date.parse(p.start ?? '');
  const endMs = Date.parse(p.end ?? '');
  if (!Number.isFinite(startMs) || !Number.isFinite(endMs)) return undefined;
  const planType = p.savingsPlanType as PlanType;
  if (planType !== 'Compute' && planType !== 'EC2Instance') return undefined;
  const durationS = p.termDurationInSeconds ?? Math.round((endMs - startMs) / 1000);
  const payment = p.paymentOption as PaymentOption;
  const commitment = Number(p.commitment ?? 0);
  const termHours = durationS / 3600;
  const region = planType === 'EC2Instance' ? p.region ?? '' : '';
  const family = p.ec2InstanceFamily;
  const k: Commitment = {
    kind: 'sp', id: p.savingsPlanId, planType, ...(planType === 'EC2Instance' ? { region, family } : {}),
    rate: (c: UsageClass) => savingsPlanRate(planType, durationS, payment, c.type, c.platform, c.region, c.odRate),
  };
  const tag = `${termTag(durationS)}${paymentTag(payment)}`;
  const ut = planType === 'Compute' ? `ComputeSP:${tag}` : usageType(region, `EC2SP:${family}.${tag}`);
  const recurring = Number(p.recurringPaymentAmount ?? 0);
  return {
    k, startMs, endMs, capacity: commitment, upfront: Number(p.upfrontPaymentAmount ?? 0), recurringHourly: recurring, termHours, effectivePerUnit: 1,
    feeLine: {
      key: ut, ...SAVINGS_PLANS_SERVICE, usageType: ut, operation: '', unit: 'Hrs', accrual: 'hours', quantity: 1, rate: recurring,
      fromMs: startMs, resourceId: p.savingsPlanArn, region, tags: p.tags ?? {},
    },
    coveredBy: { type: 'SavingsPlan', id: p.savingsPlanId, arn: p.savingsPlanArn, planType },
    recurringType: 'SavingsPlanRecurringFee', upfrontType: 'SavingsPlanUpfrontFee',
  };
}

/** Every commitment of the account in force at some time of [startMs, endMs), RIs before plans. */
export function heldCommitments(tx: Tx, account: string, startMs: number, endMs: number): Held[] {
  const out: Held[] = [];
  const overlaps = (h: { startMs: number; endMs: number }) => h.startMs < endMs && h.endMs > startMs;
  for (const s of tx.scopes(account)) {
    if (s.kind !== COMPUTE_KIND.reservedInstances) continue;
    for (const { value } of tx.list<ReservedInstancesRecord>({ account, region: s.region }, s.kind)) {
      if (overlaps(value) && value.count > 0) out.push(reservation(tx, account, s.region, value));
    }
  }
  out.sort((a, b) => a.startMs - b.startMs || a.k.id.localeCompare(b.k.id));
  const plans: Held[] = [];
  for (const { value } of tx.list<SavingsPlanRecord>(planScope(account), PLAN)) {
    if (value.state && VOID_STATES.has(value.state)) continue;
    const h = plan(value);
    if (h && overlaps(h) && h.capacity > 0) plans.push(h);
  }
  plans.sort((a, b) => a.startMs - b.startMs || a.k.id.localeCompare(b.k.id));
  return [...out, ...plans];
}

export const hoursOf = (ms: number): number => ms / HOUR;
