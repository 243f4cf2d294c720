/** Checks the metrics operations share (units, dimensions, periods), with AWS's codes and wording. */
import { AwsError } from '../../core/errors.js';

const invalid = (msg: string) => new AwsError('InvalidParameterValue', msg);
const missing = (name: string) => new AwsError('MissingParameter', `The parameter ${name} is required.`);

export const UNITS = new Set(['Seconds', 'Microseconds', 'Milliseconds', 'Bytes', 'Kilobytes', 'Megabytes', 'Gigabytes', 'Terabytes', 'Bits', 'Kilobits',
  'Megabits', 'Gigabits', 'Terabits', 'Percent', 'Count', 'Bytes/Second', 'Kilobytes/Second', 'Megabytes/Second', 'Gigabytes/Second', 'Terabytes/Second',
  'Bits/Second', 'Kilobits/Second', 'Megabits/Second', 'Gigabits/Second', 'Terabits/Second', 'Count/Second', 'None']);

/** The periods AWS accepts: 1, 5, 10, 30 (high resolution) or a multiple of 60. */
export const validPeriod = (p: number): boolean => Number.isInteger(p) && p > 0 && (p % 60 === 0 || [1, 5, 10, 30].includes(p));

export function checkDimensions(dims: Array<{ Name?: string; Value?: string }> | undefined, where: string, valueRequired = true): Array<{ Name: string; Value: string }> {
  const list = dims ?? [];
  if (list.length > 30) throw invalid(`The collection ${where} must not have a size greater than 30.`);
  const seen = new Set<string>();
  list.forEach((d, i) => {
    const at = `${where}.member.${i + 1}`;
    if (!d.Name) throw missing(`${at}.Name`);
    if (valueRequired && (d.Value === undefined || d.Value === '')) throw missing(`${at}.Value`);
    if (d.Name.length > 255) throw invalid(`The value ${d.Name} for parameter ${at}.Name is invalid.`);
    if ((d.Value ?? '').length > 1024) throw invalid(`The value for parameter ${at}.Value is invalid.`);
    if (seen.has(d.Name)) throw invalid(`No duplicate dimension names allowed: ${d.Name} in ${where}.`);
    seen.add(d.Name);
  });
  return list.map((d) => ({ Name: d.Name!, Value: d.Value ?? '' }));
}

