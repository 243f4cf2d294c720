/**
 * The ECR registry: the OCI distribution API (v1.1, Docker registry v2) under /v2/ on the
 * API's port. Endpoint by endpoint:
 *
 *   GET  /v2/                                    credentials check (401 + Basic challenge without)
 *   GET  /v2/token                               bearer token for Basic AWS:<password> (docker/skopeo bearer flow)
 *   HEAD|GET /v2/NAME/blobs/DIGEST               blobs.ts (ranges)
 *   POST|PATCH|PUT|GET|DELETE /v2/NAME/blobs/uploads/[UUID]   uploads.ts (sessions, chunks, mount)
 *   GET|HEAD|PUT|DELETE /v2/NAME/manifests/REF   manifests.ts
 *   GET  /v2/NAME/tags/list                      manifests.ts
 *   GET  /v2/NAME/referrers/DIGEST               manifests.ts
 *   GET  /v2/_catalog                            UNSUPPORTED, as ECR
 *
 * NAME and the registry: names.ts (Host ACCOUNT.dkr.ecr.REGION.localhost, the path form
 * /v2/ACCOUNT.dkr.ecr.REGION/NAME, or the token's own account and region).
 * Every answer carries Docker-Distribution-API-Version; errors are the spec's JSON.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { WireRequest } from '../../../protocol/codec.js';
import type { ServerDeps } from '../../../server/context.js';
import { isClientAbort, writeResponse } from '../../../server/http-io.js';
import { authenticate, passwordOf, challenge } from './access.js';
import { deleteBlob, getBlob } from './blobs.js';
import { transaction, type Answer, type Call } from './call.js';
import { errorBody, RegistryError, toRegistryError } from './errors.js';
import { deleteManifest, getManifest, listReferrers, listTags, putManifestAt } from './manifests.js';
import { parsePath, type Endpoint } from './names.js';
import { cancelUpload, patchUpload, putUploadEnd, startUpload, uploadStatus } from './uploads.js';

const API_VERSION = { 'docker-distribution-api-version': 'registry/2.0' };

function unsupported(method: string): RegistryError {
  return new RegistryError('UNSUPPORTED', `The operation is unsupported: ${method} is not an operation of this endpoint`, 405);
}

async function route(call: Call, ep: Endpoint & { registry?: { registryId: string; region: string } }): Promise<Answer> {
  const m = call.wire.method;
  switch (ep.kind) {
    case 'base':
      if (m !== 'GET' && m !== 'HEAD') throw unsupported(m);
      await transaction(call, (tx) => authenticate(tx, call.wire, call.deps.clock.nowMs()));
      return { status: 200, headers: { 'content-type': 'application/json' }, body: Buffer.from(m === 'HEAD' ? '' : '{}') };
    case 'token': {
      // The bearer flow: the Basic credentials' password is the bearer token.
      await transaction(call, (tx) => authenticate(tx, call.wire, call.deps.clock.nowMs()));
      const token = passwordOf(call.wire)!;
      return { status: 200, headers: { 'content-type': 'application/json' }, body: Buffer.from(JSON.stringify({ token, access_token: token, expires_in: 43200 })) };
    }
    case 'catalog':
      await transaction(call, (tx) => authenticate(tx, call.wire, call.deps.clock.nowMs()));
      throw new RegistryError('UNSUPPORTED', 'The operation is unsupported: ECR lists repositories with DescribeRepositories, not /v2/_catalog.', 405);
    case 'blob':
      if (m === 'GET' || m === 'HEAD') return getBlob(call, ep, ep.digest, m === 'HEAD');
      if (m === 'DELETE') return deleteBlob();
      throw unsupported(m);
    case 'uploads':
      if (ep.uuid === undefined) {
        if (m === 'POST') return startUpload(call, ep);
        throw unsupported(m);
      }
      if (m === 'PATCH') return patchUpload(call, ep, ep.uuid);
      if (m === 'PUT') return putUploadEnd(call, ep, ep.uuid);
      if (m === 'GET') return uploadStatus(call, ep, ep.uuid);
      if (m === 'DELETE') return cancelUpload(call, ep, ep.uuid);
      throw unsupported(m);
    case 'manifest':
      if (m === 'GET' || m === 'HEAD') return getManifest(call, ep, ep.reference, m === 'HEAD');
      if (m === 'PUT') return putManifestAt(call, ep, ep.reference);
      if (m === 'DELETE') return deleteManifest(call, ep, ep.reference);
      throw unsupported(m);
    case 'tags':
      if (m !== 'GET') throw unsupported(m);
      return listTags(call, ep, call.wire.path);
    case 'referrers':
      if (m !== 'GET') throw unsupported(m);
      return listReferrers(call, ep, ep.digest);
  }
}

export async function serveRegistry(deps: ServerDeps, wire: WireRequest, req: IncomingMessage, res: ServerResponse, requestId: string): Promise<void> {
  const call: Call = { deps, wire, req, requestId, sourceIp: req.socket.remoteAddress ?? '127.0.0.1', query: new URLSearchParams(wire.query) };
  let answer: Answer;
  try {
    const ep = parsePath(wire.path);
    if (!ep) throw new RegistryError('UNSUPPORTED', `no registry endpoint at ${wire.path}`, 404);
    answer = await route(call, ep);
  } catch (err) {
    if (isClientAbort(err) && (req.destroyed || !req.complete || res.destroyed)) {
      deps.log.debug('client disconnected', { requestId, method: wire.method, path: wire.path });
      res.destroy();
      return;
    }
    let e = toRegistryError(err);
    if (!e) {
      deps.log.error('internal failure', { requestId, method: wire.method, path: wire.path, stack: (err as Error)?.stack ?? String(err) });
      e = new RegistryError('UNKNOWN', 'internal failure', 500);
    }
    if (e.code === 'UNAUTHORIZED' && !e.headers['www-authenticate']) Object.assign(e.headers, challenge(wire));
    const body = wire.method === 'HEAD' ? Buffer.alloc(0) : errorBody(e);
    answer = { status: e.status, headers: { 'content-type': 'application/json', ...e.headers, 'content-length': String(errorBody(e).length) }, body };
  }
  await writeResponse(res, { status: answer.status, headers: { ...API_VERSION, 'x-amzn-requestid': requestId, ...answer.headers }, body: answer.body ?? Buffer.alloc(0) });
}
