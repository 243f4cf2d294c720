import { meteredStore } from '../services/cost/meter.js';
import { sweepUnmetered } from '../services/cost/sweep.js';
import { mkdtempSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { Clock, offsetFromMeta } from '../core/clock.js';
import { createLogger, type LogLevel } from '../core/log.js';
import { CATALOG } from '../services/catalog.js';
import { ServiceRegistry } from '../services/registry.js';
import { openDiskBlobStore, createTempBlobStore } from '../store/blobs.js';
import { collectOrphanBlobs } from '../state/orphans.js';
import { createMemoryStore } from '../store/memory.js';
import type { BlobStore, Store } from '../store/types.js';
import type { IamMode, ServerDeps } from './context.js';
import { handleRequest } from './pipeline.js';
import { startFleetTimer } from '../services/fleet/timer.js';
import { VERSION } from '../core/version.js';
import type { StateManager } from '../state/manager.js';
import { createGuard, type GuardOptions } from './guard.js';
import { applyServerLimits, BodyBudget, resolveLimits, serverOptions, type LimitOptions } from './limits.js';
import type { TlsOptions } from './tls/options.js';
import { prepareTls, type ServerTls } from './tls/setup.js';

export interface CloudletOptions extends LimitOptions, GuardOptions, TlsOptions {
  host?: string;
  port?: number;
  /** Directory for state; ignored when ephemeral. */
  dataDir?: string;
  /** Keep everything in memory (blobs in a temp dir) and forget it on close. */
  ephemeral?: boolean;
  logLevel?: LogLevel;
  iam?: IamMode;
  maxBodyBytes?: number;
  /** OSV records (a JSON file or a directory) for ECR image scans instead of data/vulns/osv.json. */
  vulnDb?: string;
}

export interface Cloudlet {
  /** http://HOST:PORT (https:// with --tls only). */
  url: string;
  /** https://HOST:PORT when TLS is on. */
  httpsUrl?: string;
  tls: ServerTls;
  port: number;
  deps: ServerDeps;
  server: Server;
  close(): Promise<void>;
}

export async function startCloudlet(opts: CloudletOptions = {}): Promise<Cloudlet> {
  const host = opts.host ?? '127.0.0.1';
  const dataDir = opts.ephemeral ? undefined : resolve(opts.dataDir ?? '.cloudlet');
  // SQLite and the data-directory lock are loaded only for a data directory: an ephemeral
  // server starts without the native module.
  const disk = dataDir ? { ...await import('../store/sqlite.js'), ...await import('../state/lock.js') } : undefined;
  // One process per data directory, held until this process ends (the OS frees it on kill -9).
  const dirLock = dataDir ? disk!.claimDataDir(dataDir) : undefined;
  let opened: { store: Store; blobs: BlobStore };
  try {
    opened = dataDir
      ? { store: disk!.openSqliteStore(join(dataDir, 'state.db')), blobs: openDiskBlobStore(join(dataDir, 'blobs')) }
      : { store: createMemoryStore(), blobs: createTempBlobStore() };
  } catch (err) {
    dirLock?.release();
    throw err;
  }
  const { store, blobs } = opened;
  const log = createLogger(opts.logLevel ?? 'info');
  let tls: ServerTls;
  try {
    tls = await prepareTls({ ...opts, bindHost: host, dataDir, log });
  } catch (err) {
    store.close();
    blobs.close();
    dirLock?.release();
    throw err;
  }
  // An offset an older cloudlet stored unchecked is dropped (and the record fixed), not fatal.
  const clock = new Clock(offsetFromMeta(store.getMeta('clock_offset_ms'), (m) => {
    log.warn(m);
    store.setMeta('clock_offset_ms', '0');
  }));
  const limits = resolveLimits(opts);
  // The state manager (reset, snapshots, archives) is not needed to answer AWS requests. With a
  // data directory it starts before listen: it finishes a state operation a crash interrupted
  // (and sweeps what one left) before anything is served. An ephemeral server has nothing to
  // recover, so there it loads on the first admin state call.
  const makeState = async (): Promise<StateManager> => {
    const { StateManager: Manager } = await import('../state/manager.js');
    return new Manager({
      store, blobs, clock, log, version: VERSION,
      root: dataDir ?? mkdtempSync(join(tmpdir(), 'cloudlet-state-')),
      removeRootOnClose: !dataDir,
      storeKind: dataDir ? 'sqlite' : 'memory',
      services: CATALOG.map((e) => e.name),
    });
  };
  let state: Promise<StateManager> | undefined;
  if (dataDir) {
    try {
      state = Promise.resolve(await makeState());
      // After recovery (which may bring blobs back), so only true orphans go.
      const orphans = await collectOrphanBlobs(store, blobs);
      if (orphans) log.info('removed blobs no row refers to (writes a crash cut short)', { blobs: orphans });
      // A state written before the cost meter existed starts billing from its records' own times.
      const metered = await sweepUnmetered(store, clock.nowMs());
      if (metered) log.info('metered resources a state from before the cost meter held', { resources: metered });
    } catch (err) {
      store.close();
      blobs.close();
      dirLock?.release();
      throw err;
    }
  }
  const deps: ServerDeps = {
    // Every transaction that writes a billable record meters it (the cost meter, src/services/cost/meter.ts).
    store: meteredStore(store, clock), blobs, clock, log,
    registry: new ServiceRegistry(CATALOG),
    version: VERSION,
    iam: opts.iam ?? 'enforce',
    maxBodyBytes: limits.maxBodyBytes,
    dataDir, vulnDb: opts.vulnDb,
    limits, bodyBudget: new BodyBudget(limits.bodyBudgetBytes), guard: createGuard(opts, host),
    // S3 bucket CORS rules answer cross-site requests (loaded on the first one, like the services).
    corsPolicy: async (req) => (await import('../services/s3/cors.js')).s3CorsPolicy(deps.store)(req),
  };
  const server = createServer(serverOptions(limits), (req, res) => {
    handleRequest(deps, req, res).catch((err: unknown) => {
      deps.log.error('unhandled request failure', { stack: (err as Error)?.stack });
      if (!res.headersSent) res.writeHead(500).end();
      else res.destroy();
    });
  });
  applyServerLimits(server, limits, log);
  tls.install(server, limits.headersTimeoutMs);
  server.on('clientError', (err: NodeJS.ErrnoException, socket) => {
    const timedOut = err.code === 'ERR_HTTP_REQUEST_TIMEOUT';
    if (socket.writable) socket.end(`HTTP/1.1 ${timedOut ? '408 Request Timeout' : '400 Bad Request'}\r\nConnection: close\r\n\r\n`);
    else socket.destroy();
  });
  try {
    await new Promise<void>((ok, fail) => {
      server.once('error', fail);
      server.listen(opts.port ?? 4566, host, () => ok());
    });
  } catch (err) {
    await (await state)?.close();
    tls.close();
    store.close();
    blobs.close();
    dirLock?.release();
    throw err;
  }
  // Ephemeral: made on the first admin state call, so it never competes with the first requests.
  deps.state = () => {
    state ??= makeState();
    return state;
  };
  const addr = server.address();
  const port = typeof addr === 'object' && addr ? addr.port : (opts.port ?? 4566);
  const urlHost = host.includes(':') ? `[${host}]` : host;
  const httpsUrl = tls.mode === 'off' ? undefined : `https://${urlHost}:${port}`;
  const url = tls.mode === 'only' ? httpsUrl! : `http://${urlHost}:${port}`;
  if (dataDir) disk!.writeServerLock(dataDir, url);
  const fleet = startFleetTimer(deps);
  let closing: Promise<void> | undefined;
  return {
    url,
    httpsUrl,
    tls,
    port,
    deps,
    server,
    close() {
      closing ??= new Promise<void>((done) => {
        server.close(() => done());
        server.closeIdleConnections();
        tls.closeAll();
        // In-flight requests get a moment; then the sockets go, so shutdown stays under a second.
        setTimeout(() => server.closeAllConnections(), 300).unref();
      }).then(() => fleet.stop()).then(() => deps.imds?.close()).then(() => state?.then((m) => m.close(), () => undefined)).then(() => {
        tls.close();
        store.close();
        blobs.close();
        if (dataDir) disk!.removeServerLock(dataDir);
        dirLock?.release();
      });
      return closing;
    },
  };
}
