/**
 * `cloudlet start` TLS flags and environment variables, apart from the TLS code so the CLI
 * parses them without loading it.
 */
import type { TlsMode } from './sniff.js';

export interface TlsOptions {
  /** off: plain HTTP only; on (default): HTTP and HTTPS on the one port; only: HTTPS only. */
  tls?: TlsMode;
  /** The user's own certificate (PEM; a chain may follow) and key, instead of the local CA's. */
  tlsCert?: string;
  tlsKey?: string;
}

export const TLS_FLAGS = {
  tls: { type: 'string' }, 'tls-cert': { type: 'string' }, 'tls-key': { type: 'string' },
} as Record<string, { type: 'string' }>;

export const TLS_USAGE = '                 [--tls on|off|only] [--tls-cert FILE --tls-key FILE]';

/** Options from flags, else CLOUDLET_TLS / CLOUDLET_TLS_CERT / CLOUDLET_TLS_KEY; throws RangeError on a bad value. */
export function tlsOptions(values: Record<string, unknown>, env: NodeJS.ProcessEnv): TlsOptions {
  const mode = ((values.tls as string | undefined) ?? env.CLOUDLET_TLS)?.trim().toLowerCase();
  const cert = (values['tls-cert'] as string | undefined) ?? env.CLOUDLET_TLS_CERT;
  const key = (values['tls-key'] as string | undefined) ?? env.CLOUDLET_TLS_KEY;
  const out: TlsOptions = {};
  if (mode !== undefined && mode !== '') {
    if (mode !== 'on' && mode !== 'off' && mode !== 'only') throw new RangeError(`--tls (CLOUDLET_TLS) must be on, off or only, got ${JSON.stringify(mode)}`);
    out.tls = mode;
  }
  if ((cert === undefined) !== (key === undefined)) throw new RangeError('--tls-cert and --tls-key go together');
  if (cert !== undefined && key !== undefined) {
    if (out.tls === 'off') throw new RangeError('--tls-cert/--tls-key need --tls on or only');
    out.tlsCert = cert;
    out.tlsKey = key;
  }
  return out;
}
