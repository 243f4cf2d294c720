import type { IncomingMessage, ServerResponse } from 'node:http';
import { parseDuration } from '../core/clock.js';
import type { WireRequest } from '../protocol/codec.js';
import type { ServerDeps } from './context.js';
import { readBody } from './http-io.js';

const PREFIX = '/_cloudlet/';

export function isAdminPath(path: string): boolean {
  return path.startsWith(PREFIX);
}

type Json = Record<string, unknown>;

/** cloudlet's own API: health and the clock. Plain JSON, no AWS signature. */
export async function handleAdmin(deps: ServerDeps, wire: WireRequest, req: IncomingMessage, res: ServerResponse): Promise<void> {
  const name = wire.path.slice(PREFIX.length).replace(/\/+$/, '');
  try {
    if (name === 'health' && (wire.method === 'GET' || wire.method === 'HEAD')) return send(res, 200, await health(deps));
    if (name === 'clock' && wire.method === 'GET') return send(res, 200, clockView(deps));
    if (name === 'clock' && wire.method === 'POST') {
      const body = await readJson(req);
      if (typeof body.advance === 'string' || typeof body.advance === 'number') {
        deps.clock.advance(parseDuration(String(body.advance)));
      } else if (body.reset === true) {
        deps.clock.setOffset(0);
      } else {
        return send(res, 400, { error: 'BadRequest', message: 'expected {"advance":"31d"} or {"reset":true}' });
      }
      deps.store.setMeta('clock_offset_ms', String(deps.clock.offset()));
      return send(res, 200, clockView(deps));
    }
    return send(res, 404, { error: 'NotFound', message: `no admin endpoint ${wire.method} ${wire.path}` });
  } catch (err) {
    return send(res, 400, { error: 'BadRequest', message: (err as Error).message });
  }
}

async function readJson(req: IncomingMessage): Promise<Json> {
  const raw = (await readBody(req, 64 * 1024)).toString('utf8').trim();
  if (!raw) return {};
  const v = JSON.parse(raw) as unknown;
  if (!v || typeof v !== 'object' || Array.isArray(v)) throw new Error('expected a JSON object');
  return v as Json;
}

function clockView(deps: ServerDeps): Json {
  return { now: deps.clock.now().toISOString(), offsetMs: deps.clock.offset() };
}

async function health(deps: ServerDeps): Promise<Json> {
  const services: Json = {};
  for (const entry of deps.registry.catalog) {
    const s = await deps.registry.get(entry.name);
    const ops = s.model.operationNames;
    services[entry.name] = {
      protocol: entry.protocol,
      operations: ops.length,
      implemented: ops.filter((op) => s.def.handlers[op]).length,
    };
  }
  return { status: 'running', version: deps.version, iam: deps.iam, services };
}

function send(res: ServerResponse, status: number, body: Json): void {
  const buf = Buffer.from(`${JSON.stringify(body)}\n`);
  res.writeHead(status, { 'content-type': 'application/json', 'content-length': String(buf.length) });
  res.end(res.req?.method === 'HEAD' ? undefined : buf);
}
