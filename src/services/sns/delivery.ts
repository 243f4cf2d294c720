/**
 * Getting messages to endpoints. What is delivered is decided inside the request's (or the
 * fleet step's) transaction: the signed bodies, the outbox rows for email, email-json and sms,
 * the delivery log row. The HTTP POSTs happen after the commit (ctx.afterCommit), never inside
 * a transaction, to loopback endpoints only.
 *
 * Retries follow the subscription's (or topic's) HTTP delivery policy as SNS documents it: a
 * 2xx answer is delivered; a 429, 5xx, timeout or refused connection is retried, other 4xx
 * answers fail at once; 1 + numRetries attempts in four phases (numNoDelayRetries at once,
 * numMinDelayRetries at minDelayTarget, backoff from minDelayTarget to maxDelayTarget by
 * backoffFunction, numMaxDelayRetries at maxDelayTarget). Delays are real time, bounded: a delay
 * of d seconds waits min(d, 1) second, so the default policy (3 retries 20 s apart) retries
 * within about 3 s. Each attempt is in the delivery log (GET /_cloudlet/sns/deliveries).
 */
import { randomUUID } from 'node:crypto';
import { request as httpRequest } from 'node:http';
import { request as httpsRequest } from 'node:https';
import type { Logger } from '../../core/log.js';
import type { Scope, Tx } from '../../store/types.js';
import { DEFAULT_HTTP_POLICY, DELIVERY, OUTBOX, timeKey, type DeliveryRecord, type OutboxRecord } from './records.js';

export interface RetryPolicy {
  minDelayTarget: number; maxDelayTarget: number; numRetries: number;
  numNoDelayRetries: number; numMinDelayRetries: number; numMaxDelayRetries: number;
  backoffFunction: 'linear' | 'arithmetic' | 'geometric' | 'exponential';
}

/** The delays (seconds) before each retry, SNS's four phases. */
export function retryDelays(p: RetryPolicy): number[] {
  const out: number[] = [];
  const backoff = Math.max(0, p.numRetries - p.numNoDelayRetries - p.numMinDelayRetries - p.numMaxDelayRetries);
  for (let i = 0; i < p.numNoDelayRetries; i++) out.push(0);
  for (let i = 0; i < p.numMinDelayRetries; i++) out.push(p.minDelayTarget);
  for (let i = 1; i <= backoff; i++) {
    const f = backoff === 1 ? 1 : (i - 1) / (backoff - 1);
    const span = p.maxDelayTarget - p.minDelayTarget;
    const shape = { linear: f, arithmetic: f * f, geometric: Math.sqrt(f), exponential: (Math.exp(f * 3) - 1) / (Math.exp(3) - 1) }[p.backoffFunction] ?? f;
    out.push(Math.round(p.minDelayTarget + span * shape));
  }
  for (let i = 0; i < p.numMaxDelayRetries; i++) out.push(p.maxDelayTarget);
  return out.slice(0, p.numRetries);
}

/** The healthy retry policy of a subscription: its own DeliveryPolicy, else the topic's, else SNS's default. */
export function retryPolicyOf(topicPolicy: string | undefined, subPolicy: string | undefined): { retry: RetryPolicy; contentType: string } {
  let retry: RetryPolicy = { ...DEFAULT_HTTP_POLICY.defaultHealthyRetryPolicy } as RetryPolicy;
  let contentType = DEFAULT_HTTP_POLICY.defaultRequestPolicy.headerContentType;
  let overridesOff = false;
  const read = (text: string | undefined, key: 'defaultHealthyRetryPolicy' | 'healthyRetryPolicy', sub: boolean) => {
    if (!text) return;
    try {
      const p = JSON.parse(text) as Record<string, any>;
      const http = sub ? p : (p.http ?? {});
      if (!sub && http.disableSubscriptionOverrides === true) overridesOff = true;
      if (sub && overridesOff) return;
      if (http[key]) retry = { ...retry, ...http[key] };
      const ct = http.defaultRequestPolicy?.headerContentType ?? http.requestPolicy?.headerContentType;
      if (typeof ct === 'string') contentType = ct;
    } catch { /* checked when set */ }
  };
  read(topicPolicy, 'defaultHealthyRetryPolicy', false);
  read(subPolicy, 'healthyRetryPolicy', true);
  return { retry, contentType };
}

export interface HttpDelivery {
  url: string;
  headers: Record<string, string>;
  body: string;
  retry: RetryPolicy;
  /** The delivery log row. */
  scope: Scope;
  logId: string;
  log: DeliveryRecord;
}

/** Writes the outbox row (inside the transaction). */
export function toOutbox(tx: Tx, scope: Scope, rec: OutboxRecord): void {
  tx.put(scope, OUTBOX, timeKey(rec.atMs, randomUUID()), rec);
}

/** Records the delivery as in progress; returns what to send after the commit. */
export function planHttp(tx: Tx, d: Omit<HttpDelivery, 'logId' | 'log'> & { atMs: number; topicArn: string; subscriptionArn: string; messageId: string; type: string; note?: string }): HttpDelivery {
  const logId = timeKey(d.atMs, randomUUID());
  const log: DeliveryRecord = {
    atMs: d.atMs, topicArn: d.topicArn, subscriptionArn: d.subscriptionArn, endpoint: d.url, messageId: d.messageId, type: d.type, attempts: [], outcome: 'in-progress',
    ...(d.note ? { note: d.note } : {}),
  };
  tx.put(d.scope, DELIVERY, logId, log);
  return { url: d.url, headers: d.headers, body: d.body, retry: d.retry, scope: d.scope, logId, log };
}

const TIMEOUT_MS = 15_000;
const MAX_REAL_DELAY_MS = 1_000;

function post(url: string, headers: Record<string, string>, body: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const u = new URL(url);
    const req = (u.protocol === 'https:' ? httpsRequest : httpRequest)(u, {
      method: 'POST', headers: { ...headers, 'content-length': String(Buffer.byteLength(body)) }, timeout: TIMEOUT_MS,
      // Loopback subscribers use their own certificates: cloudlet does not check them (documented).
      ...(u.protocol === 'https:' ? { rejectUnauthorized: false } : {}),
    }, (res) => {
      res.resume();
      res.on('end', () => resolve(res.statusCode ?? 0));
      res.on('error', reject);
    });
    req.on('timeout', () => req.destroy(new Error(`no answer within ${TIMEOUT_MS / 1000} s`)));
    req.on('error', reject);
    req.end(body);
  });
}

export interface DeliveryEnv {
  log: Logger;
  /** Writes the delivery log after each attempt; absent (a fleet step's context) the log keeps only the first state. */
  transact?: <T>(fn: (tx: Tx) => T) => Promise<T>;
  /** Wall clock for the attempt times (real time: deliveries are real I/O). */
  now?: () => number;
  /**
   * Set for deliveries a fleet step started (an alarm action, a scaling notification): its
   * system context has no transaction after the commit, so attempts go to the server log
   * (info) and the row says so.
   */
  untracked?: string;
}

/** Sends one delivery with its retries. Resolves when it is delivered or given up. */
export async function sendHttp(d: HttpDelivery, env: DeliveryEnv): Promise<DeliveryRecord> {
  const delays = retryDelays(d.retry);
  const rec: DeliveryRecord = { ...d.log, attempts: [] };
  const now = env.now ?? Date.now;
  for (let attempt = 0; ; attempt++) {
    let status: number | undefined;
    let error: string | undefined;
    try {
      status = await post(d.url, d.headers, d.body);
    } catch (e) {
      error = (e as Error).message;
    }
    rec.attempts.push({ atMs: now(), ...(status !== undefined ? { status } : {}), ...(error ? { error } : {}) });
    const ok = status !== undefined && status >= 200 && status < 300;
    const retryable = !ok && (status === undefined || status === 429 || status >= 500);
    const done = ok || !retryable || attempt >= delays.length;
    if (done) rec.outcome = ok ? 'delivered' : 'failed';
    await record(env, d, rec);
    if (done) return rec;
    await new Promise((r) => setTimeout(r, Math.min(delays[attempt]! * 1000, MAX_REAL_DELAY_MS)));
  }
}

async function record(env: DeliveryEnv, d: HttpDelivery, rec: DeliveryRecord): Promise<void> {
  if (env.untracked) {
    const last = rec.attempts[rec.attempts.length - 1]!;
    env.log.info('sns delivery attempt', { endpoint: d.url, messageId: d.log.messageId, attempt: rec.attempts.length, status: last.status, error: last.error, outcome: rec.outcome });
    return;
  }
  if (!env.transact) return;
  try {
    await env.transact((tx) => { tx.put(d.scope, DELIVERY, d.logId, rec); });
  } catch (e) {
    env.log.debug('sns delivery log not written', { error: String(e) });
  }
}

/** Starts deliveries without holding up the caller (the request's answer does not wait for subscribers). */
export function startHttp(deliveries: HttpDelivery[], env: DeliveryEnv): void {
  for (const d of deliveries) {
    void sendHttp(d, env).then((r) => {
      if (r.outcome !== 'delivered') env.log.info('sns delivery failed', { endpoint: d.url, attempts: r.attempts.length });
    }, (e: unknown) => env.log.warn('sns delivery crashed', { error: String(e) }));
  }
}
