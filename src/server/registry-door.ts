/**
 * The front door of the OCI distribution API (`/v2/...`): the ECR registry on the same port.
 * No AWS protocol: it maps the registry's own auth (HTTP Basic AWS:<token>, bearer challenge)
 * to a principal and asks the same authorizer, as the ECR API operations it stands for.
 * The work is in src/services/ecr/registry/.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { WireRequest } from '../protocol/codec.js';
import type { ServerDeps } from './context.js';

/** `/v2` and everything under it (no S3 bucket can be named v2: bucket names have 3+ characters). */
export function isRegistryPath(path: string): boolean {
  return path === '/v2' || path.startsWith('/v2/');
}

export async function handleRegistry(deps: ServerDeps, wire: WireRequest, req: IncomingMessage, res: ServerResponse, requestId: string): Promise<void> {
  const { serveRegistry } = await import('../services/ecr/registry/serve.js');
  await serveRegistry(deps, wire, req, res, requestId);
}
