/**
 * The cost commands, talking to a running server's admin API:
 *   cloudlet cost [--account ID] [--region R] [--json]
 *       what costs money now (GET /_cloudlet/cost; src/services/cost/report.ts)
 *   cloudlet billing-alerts [on | off [--force]] [--account ID]
 *       the account's "receive billing alerts" preference (POST /_cloudlet/billing): once on,
 *       AWS/Billing EstimatedCharges is published in us-east-1 every six hours of clock
 *   cloudlet account-plan [free | paid | none] [--account ID]
 *       the account's Free Tier plan (POST /_cloudlet/free-tier): free or paid signs it up as a
 *       new account now, with $100 of credits; none makes it an established account again
 * with [--endpoint URL]; the account defaults to CLOUDLET_ACCOUNT or 000000000000 (as
 * `cloudlet load`), the Region to all Regions. Exit 0, 1 when the server refused, 2 for bad usage.
 */
import { parseArgs } from 'node:util';
import type { CostReport } from './services/cost/report.js';

export const COST_USAGE = 'usage: cloudlet cost [--account ID] [--region R] [--json] [--endpoint URL]\n';
export const BILLING_USAGE = 'usage: cloudlet billing-alerts [on | off [--force]] [--account ID] [--json] [--endpoint URL]\n';
export const PLAN_USAGE = 'usage: cloudlet account-plan [free | paid | none] [--account ID] [--json] [--endpoint URL]\n';

export interface CliOut { code: number; stdout: string; stderr: string }

type Env = NodeJS.ProcessEnv;

const base = (v: { endpoint?: string }, env: Env) => (v.endpoint ?? env.CLOUDLET_ENDPOINT ?? 'http://127.0.0.1:4566').replace(/\/+$/, '');

export async function costCommand(argv: string[], env: Env = process.env): Promise<CliOut> {
  const usage = (why: string): CliOut => ({ code: 2, stdout: '', stderr: `cloudlet cost: ${why}\n${COST_USAGE}` });
  let v;
  try {
    ({ values: v } = parseArgs({ args: argv, strict: true, allowPositionals: false, options: { endpoint: { type: 'string' }, account: { type: 'string' }, region: { type: 'string' }, json: { type: 'boolean' } } }));
  } catch (e) {
    return usage((e as Error).message);
  }
  const account = v.account ?? env.CLOUDLET_ACCOUNT ?? '000000000000';
  if (!/^\d{12}$/.test(account)) return usage(`--account must be a 12-digit account ID, got ${account}`);
  const q = new URLSearchParams({ account, ...(v.region ? { region: v.region } : {}) });
  const res = await fetch(`${base(v, env)}/_cloudlet/cost?${q}`);
  const body = (await res.json()) as CostReport & { message?: string };
  if (!res.ok) return { code: 1, stdout: '', stderr: `cloudlet cost: ${body.message ?? `server answered ${res.status}`}\n` };
  if (v.json) return { code: 0, stdout: `${JSON.stringify(body, null, 2)}\n`, stderr: '' };
  const { renderCostReport } = await import('./services/cost/report-text.js');
  return { code: 0, stdout: renderCostReport(body), stderr: '' };
}

export async function billingAlertsCommand(argv: string[], env: Env = process.env): Promise<CliOut> {
  const usage = (why: string): CliOut => ({ code: 2, stdout: '', stderr: `cloudlet billing-alerts: ${why}\n${BILLING_USAGE}` });
  let parsed;
  try {
    parsed = parseArgs({ args: argv, strict: true, allowPositionals: true, options: { endpoint: { type: 'string' }, account: { type: 'string' }, force: { type: 'boolean' }, json: { type: 'boolean' } } });
  } catch (e) {
    return usage((e as Error).message);
  }
  const { values: v, positionals } = parsed;
  const [sub, extra] = positionals;
  if (extra !== undefined) return usage(`unexpected argument ${extra}`);
  if (sub !== undefined && sub !== 'on' && sub !== 'off') return usage(`on or off, not ${sub}`);
  if (v.force && sub !== 'off') return usage('--force goes with off');
  const account = v.account ?? env.CLOUDLET_ACCOUNT ?? '000000000000';
  if (!/^\d{12}$/.test(account)) return usage(`--account must be a 12-digit account ID, got ${account}`);
  const url = `${base(v, env)}/_cloudlet/billing`;
  const res = sub === undefined
    ? await fetch(`${url}?${new URLSearchParams({ account })}`)
    : await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ account, alerts: sub === 'on', ...(v.force ? { force: true } : {}) }) });
  const body = (await res.json()) as { receiveBillingAlerts?: boolean; since?: string; nextPublication?: string; changed?: boolean; message?: string };
  if (!res.ok) return { code: 1, stdout: '', stderr: `cloudlet billing-alerts: ${body.message ?? `server answered ${res.status}`}\n` };
  if (v.json) return { code: 0, stdout: `${JSON.stringify(body, null, 2)}\n`, stderr: '' };
  const line = body.receiveBillingAlerts
    ? `billing alerts are on for ${account}${body.since ? ` (since ${body.since})` : ''}: AWS/Billing EstimatedCharges in us-east-1 every 6 hours${body.nextPublication ? `, next at ${body.nextPublication}` : ''}`
    : `billing alerts are off for ${account}`;
  return { code: 0, stdout: `${line}${body.changed === false ? ' (unchanged)' : ''}\n`, stderr: '' };
}

export async function accountPlanCommand(argv: string[], env: Env = process.env): Promise<CliOut> {
  const usage = (why: string): CliOut => ({ code: 2, stdout: '', stderr: `cloudlet account-plan: ${why}\n${PLAN_USAGE}` });
  let parsed;
  try {
    parsed = parseArgs({ args: argv, strict: true, allowPositionals: true, options: { endpoint: { type: 'string' }, account: { type: 'string' }, json: { type: 'boolean' } } });
  } catch (e) {
    return usage((e as Error).message);
  }
  const { values: v, positionals } = parsed;
  const [sub, extra] = positionals;
  if (extra !== undefined) return usage(`unexpected argument ${extra}`);
  if (sub !== undefined && !['free', 'paid', 'none'].includes(sub)) return usage(`free, paid or none, not ${sub}`);
  const account = v.account ?? env.CLOUDLET_ACCOUNT ?? '000000000000';
  if (!/^\d{12}$/.test(account)) return usage(`--account must be a 12-digit account ID, got ${account}`);
  const url = `${base(v, env)}/_cloudlet/free-tier`;
  const res = sub === undefined
    ? await fetch(`${url}?${new URLSearchParams({ account })}`)
    : await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ account, plan: sub }) });
  const body = (await res.json()) as { plan?: null | Record<string, any>; message?: string };
  if (!res.ok) return { code: 1, stdout: '', stderr: `cloudlet account-plan: ${body.message ?? `server answered ${res.status}`}\n` };
  if (v.json) return { code: 0, stdout: `${JSON.stringify(body, null, 2)}\n`, stderr: '' };
  const p = body.plan;
  if (!p) return { code: 0, stdout: `${account} is an established account: PAID plan, no Free Tier credits (Always Free allowances apply)\n`, stderr: '' };
  const done = (p.activities as Array<{ title: string; completed: string | null }>).filter((a) => a.completed).length;
  return {
    code: 0,
    stdout: `${account}: ${p.type} plan, ${p.status}, signed up ${p.signedUp}; credits $${p.creditsRemaining} of $${p.creditsGranted} left until ${p.creditsEnd}; ${done} of 5 sign-up activities done\n`,
    stderr: '',
  };
}
