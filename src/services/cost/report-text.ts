/**
 * `cloudlet cost` for a terminal: the report (report.ts) as tables, biggest first, then the idle
 * resources and what stopping or terminating each running instance would change.
 */
import type { CostReport } from './report.js';

const hourly = (n: number): string => `$${n.toFixed(4)}`;
const monthly = (n: number): string => `$${n.toFixed(2)}`;

function table(rows: string[][], right: Set<number>): string[] {
  const w = rows[0]!.map((_, i) => Math.max(...rows.map((r) => (r[i] ?? '').length)));
  return rows.map((r) => r.map((c, i) => (i === r.length - 1 && !right.has(i) ? c : right.has(i) ? c.padStart(w[i]!) : c.padEnd(w[i]!))).join('  ').trimEnd());
}

const short = (id: string): string => (id.startsWith('arn:') ? id.slice(id.lastIndexOf(':') + 1) : id);

/** At most this many resource rows; the rest are summed in one line (the JSON has them all). */
export const RESOURCE_ROWS = 40;

export function renderCostReport(r: CostReport): string {
  const out: string[] = [];
  out.push(`cloudlet cost — account ${r.account}, ${r.region ?? 'all Regions'}, at ${r.at}`);
  out.push(`Now ${hourly(r.perHour)} per hour, ${monthly(r.perMonth)} per ${r.hoursPerMonth}-hour month at these rates; ${monthly(r.monthToDate)} this month so far.`);
  if (!r.resources.length && !r.services.length) {
    out.push('', 'Nothing is costing money: no resource accrues charges.');
    return `${out.join('\n')}\n`;
  }
  out.push('', 'BY SERVICE');
  out.push(...table([['SERVICE', 'PER HOUR', 'PER MONTH', 'MONTH TO DATE'], ...r.services.map((s) => [s.service, hourly(s.perHour), monthly(s.perMonth), monthly(s.monthToDate)])], new Set([1, 2, 3])));
  if (r.resources.length) {
    out.push('', 'BY RESOURCE');
    const shown = r.resources.slice(0, RESOURCE_ROWS);
    const rows = shown.map((x) => [short(x.resourceId), x.region, x.what ?? x.kind, hourly(x.perHour), monthly(x.perMonth), x.lines.map((l) => l.usageType).join(', ')]);
    out.push(...table([['RESOURCE', 'REGION', 'WHAT', 'PER HOUR', 'PER MONTH', 'USAGE TYPES'], ...rows], new Set([3, 4])));
    const rest = r.resources.slice(RESOURCE_ROWS);
    if (rest.length) out.push(`... and ${rest.length} more: ${monthly(rest.reduce((a, x) => a + x.perMonth, 0))} per month (--json lists them all)`);
  }
  if (r.idle.length) {
    const total = r.idle.reduce((a, x) => a + x.perMonth, 0);
    out.push('', `IDLE — paid for, not used: ${monthly(total)} per month`);
    for (const x of r.idle) {
      out.push(`  ${x.resourceId} (${x.region}): ${x.reason} — ${hourly(x.perHour)}/h, ${monthly(x.perMonth)}/month`);
      if (x.pays?.length) out.push(`      pays for ${x.pays.join(', ')}`);
      out.push(`      ${x.hint}`);
    }
  }
  if (r.instances.length) {
    out.push('', 'RUNNING INSTANCES — stop or terminate?');
    for (const i of r.instances) {
      out.push(`  ${i.instanceId} ${i.instanceType} ${i.state} (${i.region}): ${hourly(i.perHour)}/h, ${monthly(i.perMonth)}/month`);
      const kept = (ks: typeof i.stop.keeps) => (ks.length ? `; still paying for ${ks.map((k) => `${k.resourceId} ${monthly(k.perMonth)}/month`).join(', ')}` : '');
      out.push(`      stop:      saves ${hourly(i.stop.savesPerHour)}/h (${monthly(i.stop.savesPerMonth)}/month), ends ${i.stop.ends.join(', ') || 'nothing'}${kept(i.stop.keeps)}`);
      out.push(`      terminate: saves ${hourly(i.terminate.savesPerHour)}/h (${monthly(i.terminate.savesPerMonth)}/month)${i.terminate.deletes.length ? `, deletes ${i.terminate.deletes.join(', ')} (delete on termination)` : ''}${kept(i.terminate.keeps)}; permanent`);
    }
  }
  if (r.egress.length) {
    out.push('', 'TRAFFIC TO THE INTERNET (--egress)');
    for (const e of r.egress) {
      const gbMonth = (e.bytesPerSecond * 3600 * r.hoursPerMonth) / 2 ** 30;
      out.push(e.via === 'dropped'
        ? `  ${e.instanceId} (${e.region}): ${Math.round(e.bytesPerSecond)} B/s, dropped — ${e.why}`
        : `  ${e.instanceId} (${e.region}): ${Math.round(e.bytesPerSecond)} B/s through the ${e.via}, $${e.perGb.toFixed(3)}/GB, about ${monthly(gbMonth * e.perGb)}/month before the free 100 GB`);
    }
  }
  if (r.credits) {
    const c = r.credits;
    out.push('', `FREE TIER CREDITS: ${c.plan} plan, ${c.status}; ${monthly(c.remaining)} of ${monthly(c.granted)} left, until ${c.ends} (they pay the charges above)`);
  }
  return `${out.join('\n')}\n`;
}
