/**
 * A finding's severity, ECR's bands (CRITICAL, HIGH, MEDIUM, LOW, INFORMATIONAL, UNDEFINED), from
 * an OSV record. In this order:
 *   1. `database_specific.severity` of the affected entry, then of the record (GitHub's advisories
 *      say CRITICAL/HIGH/MODERATE/LOW; MODERATE is MEDIUM);
 *   2. a CVSS v3 vector in `severity[]`: its base score computed (CVSS v3.1 specification, section
 *      7), then banded as NVD does (0 none -> INFORMATIONAL, 0.1-3.9 LOW, 4.0-6.9 MEDIUM, 7.0-8.9
 *      HIGH, 9.0-10 CRITICAL);
 *   3. Ubuntu's priority (`severity[].type` 'Ubuntu': negligible/low/medium/high/critical);
 *   4. otherwise UNDEFINED (CVSS v4 vectors are not scored).
 */

export type Severity = 'CRITICAL' | 'HIGH' | 'MEDIUM' | 'LOW' | 'INFORMATIONAL' | 'UNDEFINED';

export const SEVERITIES: readonly Severity[] = ['CRITICAL', 'HIGH', 'MEDIUM', 'LOW', 'INFORMATIONAL', 'UNDEFINED'];

const WEIGHTS: Record<string, Record<string, number>> = {
  AV: { N: 0.85, A: 0.62, L: 0.55, P: 0.2 },
  AC: { L: 0.77, H: 0.44 },
  UI: { N: 0.85, R: 0.62 },
  C: { H: 0.56, L: 0.22, N: 0 },
  I: { H: 0.56, L: 0.22, N: 0 },
  A: { H: 0.56, L: 0.22, N: 0 },
};

/** CVSS v3.1 Roundup: the smallest number with one decimal that is >= x, without float noise. */
function roundUp(x: number): number {
  const n = Math.round(x * 100000);
  return n % 10000 === 0 ? n / 100000 : (Math.floor(n / 10000) + 1) / 10;
}

/** The base score of a CVSS v3.0/v3.1 vector ('CVSS:3.1/AV:N/AC:L/...'), or undefined when it is not one. */
export function cvss3BaseScore(vector: string): number | undefined {
  const parts = vector.trim().split('/');
  if (!/^CVSS:3\.[01]$/.test(parts[0] ?? '')) return undefined;
  const m: Record<string, string> = {};
  for (const p of parts.slice(1)) {
    const [k, v] = p.split(':');
    if (k && v) m[k] = v;
  }
  const changed = m.S === 'C';
  if (m.S !== 'U' && m.S !== 'C') return undefined;
  const w = (k: string) => WEIGHTS[k]?.[m[k] ?? ''];
  const pr = m.PR === 'N' ? 0.85 : m.PR === 'L' ? (changed ? 0.68 : 0.62) : m.PR === 'H' ? (changed ? 0.5 : 0.27) : undefined;
  const [av, ac, ui, c, i, a] = [w('AV'), w('AC'), w('UI'), w('C'), w('I'), w('A')];
  if (av === undefined || ac === undefined || ui === undefined || c === undefined || i === undefined || a === undefined || pr === undefined) return undefined;
  const iss = 1 - (1 - c) * (1 - i) * (1 - a);
  const impact = changed ? 7.52 * (iss - 0.029) - 3.25 * Math.pow(iss - 0.02, 15) : 6.42 * iss;
  const exploitability = 8.22 * av * ac * pr * ui;
  if (impact <= 0) return 0;
  return changed ? roundUp(Math.min(1.08 * (impact + exploitability), 10)) : roundUp(Math.min(impact + exploitability, 10));
}

export function bandOf(score: number): Severity {
  if (score === 0) return 'INFORMATIONAL';
  if (score < 4) return 'LOW';
  if (score < 7) return 'MEDIUM';
  if (score < 9) return 'HIGH';
  return 'CRITICAL';
}

function named(s: unknown): Severity | undefined {
  if (typeof s !== 'string') return undefined;
  const u = s.trim().toUpperCase();
  if (u === 'MODERATE') return 'MEDIUM';
  if (u === 'NEGLIGIBLE' || u === 'NONE') return 'INFORMATIONAL';
  if (u === 'IMPORTANT') return 'HIGH';
  return (SEVERITIES as readonly string[]).includes(u) ? u as Severity : undefined;
}

export interface SeverityInput {
  severity?: Array<{ type: string; score: string }>;
  database_specific?: Record<string, unknown>;
}

/** The severity and, when a CVSS v3 vector gave it, the vector and score. */
export function severityOf(record: SeverityInput, affected?: SeverityInput): { severity: Severity; vector?: string; score?: number } {
  const own = named(affected?.database_specific?.severity) ?? named(record.database_specific?.severity);
  const list = [...(affected?.severity ?? []), ...(record.severity ?? [])];
  const v3 = list.find((s) => s.type === 'CVSS_V3' && cvss3BaseScore(s.score) !== undefined);
  const score = v3 ? cvss3BaseScore(v3.score) : undefined;
  if (own) return { severity: own, vector: v3?.score, score };
  if (v3 && score !== undefined) return { severity: bandOf(score), vector: v3.score, score };
  const ubuntu = list.find((s) => s.type === 'Ubuntu');
  return { severity: named(ubuntu?.score) ?? 'UNDEFINED' };
}
