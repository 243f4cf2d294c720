import type { Clock } from '../core/clock.js';
import type { Principal } from '../auth/principal.js';
import type { WireRequest } from '../protocol/codec.js';
import type { BlobStore, Scope, Tx } from '../store/types.js';
import type { Logger } from '../core/log.js';

/** Everything a handler may use. Handlers keep no state of their own. */
export interface RequestContext {
  requestId: string;
  service: string;
  operation: string;
  account: string;
  region: string;
  /** {account, region}, or {account, ''} for global services. */
  scope: Scope;
  principal: Principal;
  clock: Clock;
  tx: Tx;
  blobs: BlobStore;
  log: Logger;
  /** The request as received, for the few handlers that need headers or the host. */
  wire: WireRequest;
  sourceIp: string;
  /** Response headers a handler wants to add (rare: S3 puts metadata here). */
  responseHeaders: Record<string, string>;
}

export type Handler<I = any, O = any> = (input: I, ctx: RequestContext) => O | Promise<O>;

export interface ServiceDefinition {
  /** cloudlet's name for the service, e.g. 'ec2', 'cloudwatch'. */
  name: string;
  /** Model id: models/ID.json(.gz), e.g. 'ec2-2016-11-15'. */
  modelId: string;
  /** Global services (IAM) keep one copy of state per account, not per region. */
  global?: boolean;
  handlers: Record<string, Handler>;
}

export function defineService(def: ServiceDefinition): ServiceDefinition {
  return def;
}
