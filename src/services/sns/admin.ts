/**
 * cloudlet's SNS admin paths (under /_cloudlet/sns/, no signature, like the rest of the admin API):
 *   GET    SimpleNotificationService-<id>.pem   the signing certificate (SigningCertURL)
 *   GET    confirm?Action=ConfirmSubscription&TopicArn=...&Token=...   a SubscribeURL
 *   GET    unsubscribe?Action=Unsubscribe&SubscriptionArn=...          an UnsubscribeURL
 *   GET    outbox[?topic=&protocol=&endpoint=]   email, email-json and sms messages (and undelivered sqs/lambda ...)
 *   DELETE outbox[?...]                          clears them
 *   GET    deliveries[?topic=&endpoint=]          the HTTP/S delivery log: every attempt and its answer
 */
import type { ServerResponse } from 'node:http';
import { randomUUID } from 'node:crypto';
import { AwsError, isAwsError } from '../../core/errors.js';
import type { WireRequest } from '../../protocol/codec.js';
import type { ServerDeps } from '../../server/context.js';
import { writeResponse } from '../../server/http-io.js';
import type { Tx } from '../../store/types.js';
import { DELIVERY, OUTBOX, type DeliveryRecord, type OutboxRecord } from './records.js';
import { readSigning } from './signing.js';
import { confirmByToken, unsubscribeByUrl } from './subscriptions.js';

function send(res: ServerResponse, status: number, body: string, type: string): void {
  const buf = Buffer.from(body);
  res.writeHead(status, { 'content-type': type, 'content-length': String(buf.length) });
  res.end(res.req?.method === 'HEAD' ? undefined : buf);
}

const json = (res: ServerResponse, status: number, body: unknown): void => send(res, status, `${JSON.stringify(body, null, 2)}\n`, 'application/json');

/** An AWS error becomes the operation's error answer; anything else stays a failure. */
const asAnswer = (error: unknown): { error: AwsError } => {
  if (isAwsError(error)) return { error };
  throw error;
};

/** The answer (or error) of SNS operation `op`, written by the SNS codec from the model, as the API would answer. */
async function snsAnswer(deps: ServerDeps, res: ServerResponse, op: string, result: { output: unknown } | { error: AwsError }): Promise<void> {
  const sns = await deps.registry.get('sns');
  const operation = sns.model.operation(op);
  const meta = { requestId: randomUUID() };
  await writeResponse(res, 'error' in result
    ? sns.codec.serializeError(sns.model, result.error, meta, operation)
    : sns.codec.serializeOutput(sns.model, operation!, result.output, meta));
}

function rowsOf<T>(tx: Tx, kind: string): Array<{ account: string; region: string; id: string; value: T }> {
  const out: Array<{ account: string; region: string; id: string; value: T }> = [];
  for (const s of tx.scopes()) {
    if (s.kind !== kind) continue;
    for (const r of tx.list<T>({ account: s.account, region: s.region }, kind)) out.push({ account: s.account, region: s.region, id: r.id, value: r.value });
  }
  return out.sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
}

function matches(q: URLSearchParams, r: { topicArn: string; protocol?: string; endpoint: string }): boolean {
  const topic = q.get('topic');
  if (topic && r.topicArn !== topic && !r.topicArn.endsWith(`:${topic}`)) return false;
  if (q.get('protocol') && r.protocol !== q.get('protocol')) return false;
  if (q.get('endpoint') && r.endpoint !== q.get('endpoint')) return false;
  return true;
}

export async function snsAdmin(deps: ServerDeps, sub: string, wire: WireRequest, res: ServerResponse): Promise<void> {
  const q = new URLSearchParams(wire.query);
  const get = wire.method === 'GET' || wire.method === 'HEAD';
  try {
    const cert = /^SimpleNotificationService-([0-9a-f]+)\.pem$/.exec(sub);
    if (cert && get) {
      const pair = await deps.store.transaction((tx) => readSigning(tx));
      if (!pair || pair.id !== cert[1]) return json(res, 404, { error: 'NotFound', message: `no signing certificate ${sub}` });
      return send(res, 200, pair.certPem, 'application/x-x509-ca-cert');
    }
    if (sub === 'confirm' && get) {
      const r = await deps.store.transaction((tx) => ({ output: { SubscriptionArn: confirmByToken(tx, q.get('TopicArn'), q.get('Token'), deps.clock.nowMs()).arn } }))
        .catch(asAnswer);
      return await snsAnswer(deps, res, 'ConfirmSubscription', r);
    }
    if (sub === 'unsubscribe' && get) {
      const r = await deps.store.transaction((tx) => { unsubscribeByUrl(tx, q.get('SubscriptionArn')); return { output: {} }; })
        .catch(asAnswer);
      return await snsAnswer(deps, res, 'Unsubscribe', r);
    }
    if (sub === 'outbox' && (get || wire.method === 'DELETE')) {
      const n = await deps.store.transaction((tx) => {
        const rows = rowsOf<OutboxRecord>(tx, OUTBOX).filter((r) => matches(q, r.value));
        if (wire.method === 'DELETE') {
          for (const r of rows) tx.delete({ account: r.account, region: r.region }, OUTBOX, r.id);
          return { deleted: rows.length };
        }
        return { messages: rows.map((r) => ({ account: r.account, region: r.region, at: new Date(r.value.atMs).toISOString(), ...r.value })) };
      });
      return json(res, 200, n);
    }
    if (sub === 'deliveries' && get) {
      const rows = await deps.store.transaction((tx) => rowsOf<DeliveryRecord>(tx, DELIVERY).filter((r) => matches(q, r.value)));
      return json(res, 200, { deliveries: rows.map((r) => ({ account: r.account, region: r.region, ...r.value })) });
    }
    return json(res, 404, { error: 'NotFound', message: `no SNS admin endpoint ${wire.method} /_cloudlet/sns/${sub}` });
  } catch (err) {
    if (isAwsError(err)) return json(res, err.status, { error: err.code, message: err.message });
    throw err;
  }
}
