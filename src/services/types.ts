import type { Clock } from '../core/clock.js';
import type { Principal } from '../auth/principal.js';
import type { WireRequest } from '../protocol/codec.js';
import type { BlobStore, Scope, Store, Tx } from '../store/types.js';
import type { ChunkedMode } from '../auth/sigv4-chunked.js';
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
  /** An HTTP status other than the model's, for the few answers whose status carries meaning (S3 RestoreObject's 202). */
  responseStatus?: number;
  /**
   * A new short transaction. Only for handlers listed in `ServiceDefinition.outside`, which run
   * outside the store lock (their `tx` throws): they stream and verify bodies first, then commit.
   * Inside an ordinary handler it would wait for itself; it throws instead.
   */
  transact<T>(fn: (tx: Tx) => T | Promise<T>): Promise<T>;
  /** Runs after the request's transaction commits (never after a rollback): deleting blobs a commit orphaned. */
  afterCommit(fn: () => void | Promise<void>): void;
  /** How the request was signed, when it was: what an aws-chunked body's chain needs. */
  signing?: Signing;
  /** The vulnerability database image scans use (`--vuln-db`); unset: the one shipped in data/vulns/. */
  vulnDb?: string;
}

/** The signing material of a verified request (SigV4). */
export interface Signing {
  payloadHash: string;
  chunked?: ChunkedMode;
  seedSignature: string;
  signingKey: Buffer;
  amzDate: string;
  scope: string;
  presigned: boolean;
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
  /**
   * Operations whose handlers do slow I/O (streaming request bodies to the blob store, copying
   * blobs): authentication, decoding and authorization run in one short transaction, then the
   * handler runs outside the lock and commits through `ctx.transact`.
   */
  outside?: ReadonlySet<string>;
  /**
   * Per operation: slow work to do before the request's transaction (fetching an identity
   * provider's keys), with the decoded input, which it may annotate for the handler. Its errors
   * are not the request's: the request's own steps report what is wrong, in AWS's order.
   */
  prepare?: Readonly<Record<string, (input: any, env: { store: Store; clock: Clock }) => Promise<void>>>;
}

export function defineService(def: ServiceDefinition): ServiceDefinition {
  return def;
}
