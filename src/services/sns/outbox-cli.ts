/**
 * `cloudlet outbox [--topic NAME|ARN] [--protocol email|email-json|sms|...] [--to ENDPOINT] [--json] [--clear]`:
 * the messages SNS put in the local outbox (email, email-json, sms; and the ones for protocols
 * cloudlet stores but does not deliver), read from the running server (GET /_cloudlet/sns/outbox).
 * --clear removes what matches. Exit 0, or 2 for bad usage or a server that refused.
 */
import { parseArgs } from 'node:util';
import type { OutboxRecord } from './records.js';

export const OUTBOX_USAGE = 'usage: cloudlet outbox [--topic NAME|ARN] [--protocol P] [--to ENDPOINT] [--json] [--clear] [--endpoint URL]\n';

export async function outboxCommand(argv: string[], url: string): Promise<{ code: number; stdout: string; stderr: string }> {
  let values;
  try {
    ({ values } = parseArgs({
      args: argv, strict: true, allowPositionals: false,
      options: { topic: { type: 'string' }, protocol: { type: 'string' }, to: { type: 'string' }, json: { type: 'boolean' }, clear: { type: 'boolean' } },
    }));
  } catch (err) {
    return { code: 2, stdout: '', stderr: `cloudlet outbox: ${(err as Error).message}\n${OUTBOX_USAGE}` };
  }
  const q = new URLSearchParams();
  if (values.topic) q.set('topic', values.topic);
  if (values.protocol) q.set('protocol', values.protocol);
  if (values.to) q.set('endpoint', values.to);
  const res = await fetch(`${url.replace(/\/+$/, '')}/_cloudlet/sns/outbox${q.size ? `?${q}` : ''}`, { method: values.clear ? 'DELETE' : 'GET' });
  const body = await res.json() as { messages?: Array<OutboxRecord & { at: string; account: string }>; deleted?: number; message?: string };
  if (!res.ok) return { code: 2, stdout: '', stderr: `cloudlet outbox: ${body.message ?? res.statusText}\n` };
  if (values.clear) return { code: 0, stdout: `removed ${body.deleted ?? 0} message(s) from the outbox\n`, stderr: '' };
  const msgs = body.messages ?? [];
  if (values.json) return { code: 0, stdout: `${JSON.stringify(msgs, null, 2)}\n`, stderr: '' };
  if (!msgs.length) return { code: 0, stdout: 'the outbox is empty\n', stderr: '' };
  const out = msgs.map((m) => [
    `${m.at}  ${m.protocol} to ${m.endpoint}  ${m.kind}${m.delivered ? '' : '  (NOT DELIVERED)'}`,
    ...(m.topicArn ? [`  topic:   ${m.topicArn}`] : []),
    ...(m.subject ? [`  subject: ${m.subject}`] : []),
    ...(m.note ? [`  note:    ${m.note}`] : []),
    ...m.body.split('\n').map((l) => `  | ${l}`),
  ].join('\n'));
  return { code: 0, stdout: `${out.join('\n\n')}\n`, stderr: '' };
}
