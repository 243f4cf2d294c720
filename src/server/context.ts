import type { Clock } from '../core/clock.js';
import type { Logger } from '../core/log.js';
import type { BlobStore, Store } from '../store/types.js';
import type { ServiceRegistry } from '../services/registry.js';
import type { StateManager } from '../state/manager.js';
import type { ImdsService } from '../services/ec2/imds/service.js';
import type { CorsPolicy, Guard } from './guard.js';
import type { BodyBudget, Limits } from './limits.js';

export type IamMode = 'enforce' | 'audit' | 'off';

/** What one server instance owns. Nothing here is module-global. */
export interface ServerDeps {
  store: Store;
  blobs: BlobStore;
  clock: Clock;
  log: Logger;
  registry: ServiceRegistry;
  version: string;
  iam: IamMode;
  /** Largest request body buffered in memory (streaming S3 payloads are not buffered). */
  maxBodyBytes: number;
  dataDir?: string;
  /** Timeouts, connection cap, body sizes (limits.ts). */
  limits: Limits;
  /** The server-wide count of buffered request-body bytes. */
  bodyBudget: BodyBudget;
  /** Which Host names and page origins are served (guard.ts). */
  guard: Guard;
  /** Resource CORS rules for cross-site requests (S3 bucket CORS sets it); none refuses them all. */
  corsPolicy?: CorsPolicy;
  /** Reset, snapshots, export/import (src/state/); set by startCloudlet (made on first use when ephemeral). */
  state?: () => Promise<StateManager>;
  /** The instance metadata service (per-instance loopback listeners), made on first use by the admin API; closed with the server. */
  imds?: ImdsService;
  /** The vulnerability database ECR image scans use (`--vuln-db` FILE or directory of OSV records). */
  vulnDb?: string;
}
