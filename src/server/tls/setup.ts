/**
 * The server's TLS, from its options: which certificate it serves (the local CA's, made in the
 * data directory or an ephemeral server's temp dir, or the user's own pair) and the sniffer on
 * its port. A data directory's pair is read (or made, once) at start, so a problem stops
 * `start`; an ephemeral server makes its CA on the first TLS connection (or the first ask for
 * the CA file), so start-up does no certificate work at all.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import type { Server } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createSecureContext, type SecureContext } from 'node:tls';
import type { Logger } from '../../core/log.js';
import { caPaths, localPair, readUserPair, serverNames, type ServerPair } from './ca.js';
import type { TlsOptions } from './options.js';
import { installSniffer, type Sniffer, type TlsMode } from './sniff.js';

export interface ServerTls {
  readonly mode: TlsMode;
  /** The CA certificate clients trust; undefined with the user's own pair or TLS off. Makes the CA when not made yet. */
  caFile(): Promise<string | undefined>;
  /** Puts the sniffer on the server (nothing when TLS is off). */
  install(server: Server, timeoutMs: number): void;
  /** Ends connections still being sniffed or shaking hands. */
  closeAll(): void;
  /** Removes an ephemeral server's CA directory. */
  close(): void;
}

export interface TlsSetupOptions extends TlsOptions {
  allowedHosts?: string[];
  bindHost: string;
  /** The data directory; undefined for an ephemeral server. */
  dataDir?: string;
  log: Logger;
  /** The real clock (certificates are checked against the clients' clocks); tests pass their own. */
  now?: () => number;
}

export async function prepareTls(opts: TlsSetupOptions): Promise<ServerTls> {
  const mode = opts.tls ?? 'on';
  if (mode === 'off') {
    return { mode, caFile: async () => undefined, install() {}, closeAll() {}, close() {} };
  }
  const now = opts.now ?? Date.now;
  const names = serverNames({ allowedHosts: opts.allowedHosts, bindHost: opts.bindHost });
  let tempDir: string | undefined;
  const dir = (): string => (opts.dataDir ? join(opts.dataDir, 'tls') : (tempDir ??= mkdtempSync(join(tmpdir(), 'cloudlet-tls-'))));
  const user = opts.tlsCert !== undefined && opts.tlsKey !== undefined ? readUserPair(opts.tlsCert, opts.tlsKey, now()) : undefined;

  let current: { pair: ServerPair; context: SecureContext } | undefined;
  let making: Promise<ServerPair> | undefined;
  const use = (pair: ServerPair) => {
    current = { pair, context: createSecureContext({ cert: pair.cert, key: pair.key }) };
    return current.context;
  };
  const make = (): Promise<ServerPair> => {
    making ??= localPair(dir(), names, now()).then((p) => {
      if (p.ca.made) opts.log.info('made a local certificate authority; trust it with the lines `cloudlet ca` prints', { caFile: p.ca.file });
      return p;
    }).finally(() => { making = undefined; });
    return making;
  };
  if (user) use(user);
  else if (opts.dataDir) use(await make());

  const secureContext = (): SecureContext | Promise<SecureContext> => {
    if (!current) return make().then((p) => (current ? current.context : use(p)));
    // Renewed in the background (same CA): this connection gets the certificate still valid.
    if (now() >= current.pair.renewAtMs && !making) {
      make().then(use, (err: Error) => opts.log.error('renewing the TLS certificate failed', { message: err.message }));
    }
    return current.context;
  };

  let sniffer: Sniffer | undefined;
  return {
    mode,
    async caFile() {
      if (user) return undefined;
      if (!current) use(await make());
      return caPaths(dir()).caCert;
    },
    install(server, timeoutMs) {
      sniffer = installSniffer(server, { mode, secureContext, timeoutMs, log: opts.log });
    },
    closeAll() {
      sniffer?.closeAll();
    },
    close() {
      if (tempDir) rmSync(tempDir, { recursive: true, force: true });
    },
  };
}
