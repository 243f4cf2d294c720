/**
 * The meter's vocabulary. A resource's *lines* say what it is billed for right now (one per
 * usage type it accrues); the meter turns changes in a resource's lines into *segments*
 * (a line held over [startMs, endMs)), and usage.ts integrates segments over any window into
 * *usage items*: AWS's cost-and-usage line items with quantity and cost.
 */

/** How a line's time turns into usage: hours of it, or a share of the month it falls in (GB-Mo). */
export type Accrual = 'hours' | 'month';

/** What a resource accrues now, as AWS's Cost and Usage Report would name it. */
export interface Line {
  /** Unique among one resource's lines (usageType plus what makes the line distinct). */
  key: string;
  /** Cost Explorer's SERVICE dimension ("Amazon Elastic Compute Cloud - Compute", "EC2 - Other"). */
  service: string;
  /** The price list's product code (billing's ServiceName dimension: AmazonEC2, AmazonS3). */
  productCode: string;
  /** With the Region's prefix outside us-east-1: "BoxUsage:t3.micro", "USW2-EBS:VolumeUsage.gp3". */
  usageType: string;
  /** CUR lineItem/Operation: RunInstances, RunInstances:0002, CreateVolume-Gp3, NatGateway. */
  operation: string;
  /** Pricing unit: Hrs, GB-Mo, IOPS-Mo, MiBps-Mo, Metrics, Alarms. */
  unit: string;
  accrual: Accrual;
  /** Units held at once: 1 instance, 100 GB, 4000 IOPS above the free baseline. */
  quantity: number;
  /** USD per unit (per hour for 'hours', per month for 'month'); unused when spot is set. */
  rate: number;
  /** Billing starts then (an instance bills from running), or at the change if that is later. */
  fromMs: number;
  /** Shortest billed run: 60 s for Linux instances. */
  minMs?: number;
  /** Each run billed in whole hours (Windows: a new hour at every start). */
  wholeHours?: boolean;
  /** Billing stops then, whether or not the record changes (a restored S3 copy's expiry). */
  untilMs?: number;
  /** The resource as the bill names it (instance id, volume id, bucket name, ARN for ELB). */
  resourceId: string;
  region: string;
  /** The resource's user tags when the line opened. */
  tags: Record<string, string>;
  /** Instances: what Reserved Instances and Savings Plans match on. */
  instance?: { type: string; platform: 'Linux/UNIX' | 'Windows'; tenancy: string; zoneName: string; purchase: 'OnDemand' | 'Spot' };
}

/** A line held over time. Open while endMs is absent. */
export interface Segment {
  line: Line;
  startMs: number;
  endMs?: number;
  /** What the bill charges for when it differs from [startMs, endMs) (a minimum, whole hours). */
  billedEndMs?: number;
}

/** A count of events (requests, GB processed), accrued per day. */
export interface CountRecord {
  line: Omit<Line, 'accrual' | 'fromMs' | 'minMs' | 'wholeHours' | 'instance'>;
  dayMs: number;
  quantity: number;
}

/** One line item of usage in a window: what Cost Explorer sums and groups. */
export interface UsageItem {
  account: string;
  startMs: number;
  endMs: number;
  line: Line | CountRecord['line'];
  /** In the line's unit. */
  quantity: number;
  /** Usage hours of an instance line (what RIs and Savings Plans cover). */
  hours: number;
  /** On-Demand (or Spot) cost before commitments: UnblendedCost. */
  cost: number;
  /** The part of `quantity` an Always Free allowance covered (free-tier.ts): it costs nothing. */
  free?: number;
  /** What that part would have cost: `cost` is what is charged. */
  freeCost?: number;
}
