/**
 * The metadata service of one cloudlet server: one loopback listener per instance
 * (127.0.0.1:ephemeral, opened on demand by POST /_cloudlet/imds/open and kept while the server
 * runs), the same answers on the main port under /_cloudlet/imds/ACCOUNT/REGION/INSTANCE/ for
 * debugging, and the per-server secrets (token key, identity signing key). Every request is
 * answered from one short store transaction; nothing here is module-global.
 */
import { randomBytes } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { AwsError } from '../../../core/errors.js';
import type { Clock } from '../../../core/clock.js';
import type { Logger } from '../../../core/log.js';
import type { Store } from '../../../store/types.js';
import { instanceExpired } from '../compute/lifecycle.js';
import type { InstanceStateName } from '../compute/records.js';
import { instanceFacts, readInstance, stateOf, type ImdsTarget } from './facts.js';
import { decide, statusPage } from './http.js';
import { IdentitySigner } from './identity.js';
import { roleCredentialsDocument } from './role-credentials.js';
import { checkToken, issueToken, TOKEN_TTL_HEADER } from './tokens.js';
import { buildTree, ec2Json, lookup, VERSIONS, type Leaf } from './tree.js';

export interface ImdsDeps { store: Store; clock: Clock; log: Logger }

interface Listener { server: Server; port: number }

type Answer = { status: number; body: string | Buffer; type?: string; ttlS?: number } | { drop: true };
type Pending = Answer | { sign: 'signature' | 'pkcs7' | 'rsa2048'; document: string; ttlS?: number };

const key = (t: ImdsTarget): string => `${t.account}/${t.region}/${t.instanceId}`;

export class ImdsService {
  /** Signs tokens; fresh per server, so a restart ends every token (as a reboot does on EC2). */
  private readonly tokenKey = randomBytes(32);
  private readonly signer = new IdentitySigner();
  private readonly listeners = new Map<string, Promise<Listener>>();
  private closed = false;

  constructor(private readonly deps: ImdsDeps) {}

  /**
   * The instance's listener (opened on first use), and its state now. Unknown instances (and
   * ones terminated long enough ago that EC2 forgets them) are InvalidInstanceID.NotFound.
   */
  async open(t: ImdsTarget): Promise<{ endpoint: string; state: InstanceStateName }> {
    if (this.closed) throw new Error('the metadata service is closed');
    if (!/^i-[0-9a-f]{8,17}$/.test(t.instanceId)) {
      throw new AwsError('InvalidInstanceID.Malformed', `Invalid id: "${t.instanceId}"`);
    }
    const state = await this.deps.store.transaction((tx) => {
      const i = readInstance(tx, t);
      const now = this.deps.clock.nowMs();
      return i && !instanceExpired(i, now) ? stateOf(i, now) : undefined;
    });
    if (!state) throw new AwsError('InvalidInstanceID.NotFound', `The instance ID '${t.instanceId}' does not exist`);
    let l = this.listeners.get(key(t));
    if (!l) {
      l = this.listen(t);
      this.listeners.set(key(t), l);
      l.catch(() => this.listeners.delete(key(t)));
    }
    return { endpoint: `http://127.0.0.1:${(await l).port}`, state };
  }

  private listen(t: ImdsTarget): Promise<Listener> {
    return new Promise((ok, fail) => {
      const server = createServer({ keepAlive: true }, (req, res) => {
        const port = (server.address() as { port: number }).port;
        // DNS rebinding: a page that renamed itself to 127.0.0.1 must not read credentials.
        const host = String(req.headers.host ?? '').toLowerCase();
        if (host && !new Set([`127.0.0.1:${port}`, `localhost:${port}`, '169.254.169.254', '169.254.169.254:80']).has(host)) {
          res.writeHead(403, { 'content-type': 'text/html' }).end(statusPage(403));
          return;
        }
        this.serve(t, req, res, req.url ?? '/', false).catch((err: unknown) => this.crash(res, err));
      });
      server.once('error', fail);
      server.listen(0, '127.0.0.1', () => {
        server.off('error', fail);
        server.unref();
        ok({ server, port: (server.address() as { port: number }).port });
      });
    });
  }

  /** The debugging front door on the main port: /_cloudlet/imds/ACCOUNT/REGION/INSTANCE/latest/... */
  async handleDebug(path: string, req: IncomingMessage, res: ServerResponse): Promise<void> {
    if (path === '/_cloudlet/imds/certificate') {
      req.resume();
      const pem = await this.signer.certificatePem();
      res.writeHead(200, { 'content-type': 'application/x-pem-file', 'content-length': String(Buffer.byteLength(pem)) }).end(pem);
      return;
    }
    const m = /^\/_cloudlet\/imds\/(\d{12})\/([a-z0-9-]+)\/(i-[0-9a-f]+)(\/.*)?$/.exec(path);
    if (!m) {
      res.writeHead(404, { 'content-type': 'text/html' }).end(statusPage(404));
      return;
    }
    return this.serve({ account: m[1]!, region: m[2]!, instanceId: m[3]! }, req, res, m[4] ?? '/', true);
  }

  private async serve(t: ImdsTarget, req: IncomingMessage, res: ServerResponse, rawPath: string, debug: boolean): Promise<void> {
    req.resume();
    const path = rawPath.split('?')[0]!;
    let pathText: string;
    try { pathText = decodeURIComponent(path); } catch { pathText = path; }
    const answer = await this.answer(t, { method: req.method ?? 'GET', path: pathText, headers: req.headers }, debug);
    if ('drop' in answer) {
      // No instance behind this address now: as on EC2, nothing answers.
      res.socket?.destroy();
      return;
    }
    const body = Buffer.isBuffer(answer.body) ? answer.body : Buffer.from(answer.body);
    const headers: Record<string, string> = {
      'content-type': answer.type ?? 'text/plain', 'content-length': String(body.length), server: 'EC2ws',
      ...(answer.ttlS !== undefined ? { [TOKEN_TTL_HEADER]: String(answer.ttlS) } : {}),
    };
    res.writeHead(answer.status, headers);
    res.end(req.method === 'HEAD' ? undefined : body);
  }

  private async answer(t: ImdsTarget, r: { method: string; path: string; headers: IncomingMessage['headers'] }, debug: boolean): Promise<Answer> {
    const refuse = (status: number): Answer => ({ status, body: statusPage(status), type: 'text/html' });
    const found = await this.deps.store.transaction((tx): Pending => {
      const now = this.deps.clock.nowMs();
      const i = readInstance(tx, t);
      if (!i || stateOf(i, now) !== 'running') return debug ? refuse(404) : { drop: true as const };
      const d = decide(r, i.metadataOptions);
      if (d.kind === 'refuse') return refuse(d.status);
      if (d.kind === 'token') return { status: 200, body: issueToken(this.tokenKey, t, now, d.ttlS), ttlS: d.ttlS };
      let ttlS: number | undefined;
      if ('token' in d && d.token !== undefined) {
        const c = checkToken(this.tokenKey, d.token, t, now);
        if (!c.ok) return refuse(401);
        ttlS = c.remainingS;
      }
      if (d.kind === 'versions') return { status: 200, body: VERSIONS.join('\n'), ttlS };
      // The path SDKs poll needs only the profile's role, which roleCredentialsDocument checks
      // as the tree would (404 unless the associated profile holds that role): answered without
      // reading every interface, subnet, VPC, group, tag and key pair into the whole tree first.
      const s = d.segments;
      if (s.length === 4 && s[0] === 'meta-data' && s[1] === 'iam' && s[2] === 'security-credentials') {
        const doc = roleCredentialsDocument(tx, t, i, s[3]!, now);
        return doc === undefined ? refuse(404) : { status: 200, body: doc, ttlS };
      }
      const facts = instanceFacts(tx, t, i, now);
      const hit = lookup(buildTree(facts), d.segments);
      if (!hit) return refuse(404);
      if (hit.kind === 'dir') return { status: 200, body: hit.body, ttlS };
      const leaf: Leaf = hit.leaf;
      if (typeof leaf === 'string' || Buffer.isBuffer(leaf)) return { status: 200, body: leaf, ttlS };
      if (leaf.deferred === 'role-credentials') {
        const doc = roleCredentialsDocument(tx, t, i, leaf.role, now);
        return doc === undefined ? refuse(404) : { status: 200, body: doc, ttlS };
      }
      // An identity signature: an RSA operation, made after the transaction so it stays short.
      return { sign: leaf.deferred, document: ec2Json(facts.identity), ttlS };
    });
    if (!('sign' in found)) return found;
    return { status: 200, body: await this.signer.sign(found.sign, found.document), ttlS: found.ttlS };
  }

  private crash(res: ServerResponse, err: unknown): void {
    this.deps.log.error('metadata request failed', { stack: (err as Error)?.stack ?? String(err) });
    if (!res.headersSent) res.writeHead(500, { 'content-type': 'text/plain' }).end('Internal Server Error');
    else res.destroy();
  }

  /** Closes every listener (with the server). */
  async close(): Promise<void> {
    this.closed = true;
    const all = [...this.listeners.values()];
    this.listeners.clear();
    await Promise.all(all.map(async (p) => {
      const l = await p.catch(() => undefined);
      if (!l) return;
      await new Promise<void>((done) => {
        l.server.close(() => done());
        l.server.closeAllConnections();
      });
    }));
  }
}
