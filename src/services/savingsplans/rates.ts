/**
 * What a Savings Plan charges per hour of the usage it covers: the On-Demand rate's compute part
 * times a factor per plan type, term and payment option. The Windows licence in a Windows rate
 * is not discounted (AWS's Savings Plans rates for Windows are the Linux rate's discount plus the
 * licence), so Linux usage has the higher savings percentage and is covered first.
 *
 * Factors (Savings Plans rate ÷ On-Demand rate), one table for the whole emulator:
 *
 *   plan type    term     No Upfront  Partial Upfront  All Upfront
 *   EC2Instance  1 year   0.80        0.77             0.75
 *   EC2Instance  3 years  0.70        0.66             0.64
 *   Compute      1 year   0.85        0.82             0.80
 *   Compute      3 years  0.75        0.71             0.69
 *
 * Source: AWS's launch of Savings Plans ("New – Savings Plans for AWS Compute Services", AWS
 * News Blog, 2019-11-06; the Savings Plans User Guide's "Savings Plans types"): EC2 Instance
 * Savings Plans give the discount of Standard Reserved Instances and Compute Savings Plans that
 * of Convertible Reserved Instances. The RI factors are cloudlet's Reserved Instance price table
 * (src/services/ec2/compute/reserved.ts: RATE for standard, CONVERTIBLE_EXTRA for convertible),
 * so an RI and the matching plan cost the same, as on AWS.
 */
import { instanceRate } from '../cost/prices.js';
import { CONVERTIBLE_EXTRA, RATE } from '../ec2/compute/reserved.js';

export type PlanType = 'Compute' | 'EC2Instance';
export type PaymentOption = 'No Upfront' | 'Partial Upfront' | 'All Upfront';

export const PLAN_TYPES: readonly PlanType[] = ['Compute', 'EC2Instance'];
export const PAYMENT_OPTIONS: readonly PaymentOption[] = ['No Upfront', 'Partial Upfront', 'All Upfront'];
export const DURATIONS = [31_536_000, 94_608_000] as const;

/** Savings Plans rate ÷ On-Demand rate (compute part). */
export function rateFactor(planType: PlanType, durationS: number, payment: PaymentOption): number {
  const standard = RATE[durationS]?.[payment];
  if (standard === undefined) throw new Error(`no Savings Plans term of ${durationS} s`);
  return Math.round((standard + (planType === 'Compute' ? CONVERTIBLE_EXTRA : 0)) * 100) / 100;
}

const round6 = (n: number): number => Math.round(n * 1e6) / 1e6;

/**
 * USD per instance hour under a plan. `onDemand` is the rate the meter charges for the usage
 * (the instance line's rate); without it, instanceRate's.
 */
export function savingsPlanRate(planType: PlanType, durationS: number, payment: PaymentOption, type: string, platform: 'Linux/UNIX' | 'Windows', region: string, onDemand?: number): number {
  const od = onDemand ?? instanceRate(type, platform, region);
  const linux = Math.min(od, instanceRate(type, 'Linux/UNIX', region));
  return round6(linux * rateFactor(planType, durationS, payment) + (od - linux));
}

/** "1yr"/"3yr" and "NoUpfront"/"PartialUpfront"/"AllUpfront", as usage types spell them. */
export const termTag = (durationS: number): string => `${Math.round(durationS / 31_536_000)}yr`;
export const paymentTag = (p: PaymentOption): string => p.replace(/ /g, '');
