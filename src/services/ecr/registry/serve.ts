import type { IncomingMessage, ServerResponse } from 'node:http';
import type { WireRequest } from '../../../protocol/codec.js';
import type { ServerDeps } from '../../../server/context.js';

/** Placeholder until the registry lands: the distribution API's UNSUPPORTED error. */
export async function serveRegistry(_deps: ServerDeps, _wire: WireRequest, _req: IncomingMessage, res: ServerResponse, requestId: string): Promise<void> {
  const body = Buffer.from(JSON.stringify({ errors: [{ code: 'UNSUPPORTED', message: 'the registry is not built yet', detail: { requestId } }] }));
  res.writeHead(405, { 'content-type': 'application/json', 'content-length': String(body.length), 'docker-distribution-api-version': 'registry/2.0' });
  res.end(body);
}
