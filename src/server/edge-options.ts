/**
 * `cloudlet start` flags and environment variables for the HTTP edge (guard.ts, limits.ts).
 * Kept apart from those files so the CLI parses them without loading the server.
 */
import type { GuardOptions } from './guard.js';
import type { LimitOptions } from './limits.js';

/** flag -> [option, env variable, unit multiplier to bytes / ms] */
const NUMERIC: Record<string, [keyof LimitOptions, string, number]> = {
  'max-connections': ['maxConnections', 'CLOUDLET_MAX_CONNECTIONS', 1],
  'body-budget-mb': ['bodyBudgetBytes', 'CLOUDLET_BODY_BUDGET_MB', 1024 * 1024],
  'max-body-mb': ['maxBodyBytes', 'CLOUDLET_MAX_BODY_MB', 1024 * 1024],
  'body-timeout': ['bodyTimeoutMs', 'CLOUDLET_BODY_TIMEOUT', 1000],
  'headers-timeout': ['headersTimeoutMs', 'CLOUDLET_HEADERS_TIMEOUT', 1000],
  'request-timeout': ['requestTimeoutMs', 'CLOUDLET_REQUEST_TIMEOUT', 1000],
  'keep-alive-timeout': ['keepAliveTimeoutMs', 'CLOUDLET_KEEP_ALIVE_TIMEOUT', 1000],
};

/** parseArgs option specs for the edge flags. */
export const EDGE_FLAGS = {
  'allowed-hosts': { type: 'string' },
  'allow-cross-site': { type: 'boolean' },
  ...Object.fromEntries(Object.keys(NUMERIC).map((k) => [k, { type: 'string' }])),
} as Record<string, { type: 'string' | 'boolean' }>;

export const EDGE_USAGE = `                 [--allowed-hosts NAME,...] [--allow-cross-site] [--max-connections 512]
                 [--body-budget-mb 256] [--max-body-mb 16] [--body-timeout 30]
                 [--headers-timeout 20] [--request-timeout 300] [--keep-alive-timeout 65]`;

const truthy = (s: string | undefined) => s !== undefined && /^(1|true|yes|on)$/i.test(s.trim());

/** Options from flags, else the environment; throws RangeError naming the bad flag. */
export function edgeOptions(values: Record<string, unknown>, env: NodeJS.ProcessEnv): LimitOptions & GuardOptions {
  const out: LimitOptions & GuardOptions = {};
  const hosts = (values['allowed-hosts'] as string | undefined) ?? env.CLOUDLET_ALLOWED_HOSTS;
  if (hosts !== undefined) out.allowedHosts = hosts.split(',').map((h) => h.trim()).filter(Boolean);
  if (values['allow-cross-site'] === true || truthy(env.CLOUDLET_ALLOW_CROSS_SITE)) out.allowCrossSite = true;
  for (const [flag, [key, envName, unit]] of Object.entries(NUMERIC)) {
    const raw = (values[flag] as string | undefined) ?? env[envName];
    if (raw === undefined || raw === '') continue;
    const n = Number(raw);
    if (!Number.isFinite(n) || n <= 0) throw new RangeError(`--${flag} (${envName}) must be a positive number, got ${JSON.stringify(raw)}`);
    out[key] = Math.round(n * unit);
  }
  return out;
}
