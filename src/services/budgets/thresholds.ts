/**
 * Notification thresholds and the amounts budgets print. A PERCENTAGE threshold is a share of
 * the period's budgeted amount, an ABSOLUTE_VALUE one is in the budget's unit. Comparisons are
 * made in cents (hundredths of the unit), as the amounts AWS shows are: EQUAL_TO would
 * otherwise never hold for a spend that accrues by the millisecond.
 */

export type ComparisonOperator = 'GREATER_THAN' | 'LESS_THAN' | 'EQUAL_TO';
export type ThresholdType = 'PERCENTAGE' | 'ABSOLUTE_VALUE';

export interface Threshold { op: ComparisonOperator; threshold: number; thresholdType: ThresholdType }

/** The amount (in the budget's unit) a threshold stands for, for a period budgeted at `limit`. */
export function thresholdAmount(t: Pick<Threshold, 'threshold' | 'thresholdType'>, limit: number): number {
  return t.thresholdType === 'ABSOLUTE_VALUE' ? t.threshold : (limit * t.threshold) / 100;
}

const cents = (x: number): number => Math.round(x * 100);

/** Whether `value` is past the threshold: the notification is in ALARM. */
export function crossed(t: Threshold, value: number, limit: number): boolean {
  const v = cents(value);
  const at = cents(thresholdAmount(t, limit));
  switch (t.op) {
    case 'GREATER_THAN': return v > at;
    case 'LESS_THAN': return v < at;
    case 'EQUAL_TO': return v === at;
  }
}

export const OP_SYMBOL: Record<ComparisonOperator, string> = { GREATER_THAN: '>', LESS_THAN: '<', EQUAL_TO: '=' };
export const OP_WORDS: Record<ComparisonOperator, string> = { GREATER_THAN: 'is greater than', LESS_THAN: 'is less than', EQUAL_TO: 'is equal to' };

/** "$12.00" for USD, "80.00 Hrs" for other units: how the notification text prints an amount. */
export function formatAmount(value: number, unit: string): string {
  const fixed = (Math.round(value * 100) / 100).toFixed(2);
  return unit === 'USD' ? `$${fixed}` : `${fixed} ${unit}`;
}

/**
 * A decimal string as the API returns amounts: at least one decimal place ("100" -> "100.0",
 * "12.50" -> "12.5"), no exponent. Input strings are kept digit for digit otherwise.
 */
export function normalizeAmount(text: string): string {
  const m = /^(\d*)(?:\.(\d*))?$/.exec(text.trim());
  if (!m) return text;
  const int = (m[1] || '0').replace(/^0+(?=\d)/, '');
  const frac = (m[2] ?? '').replace(/0+$/, '');
  return `${int}.${frac || '0'}`;
}

/** A computed amount as the API shows it (CalculatedSpend, performance history): up to 10 decimals, trailing zeros dropped. */
export function amountText(value: number): string {
  if (!Number.isFinite(value)) return '0.0';
  return normalizeAmount(Math.max(0, value).toFixed(10));
}
