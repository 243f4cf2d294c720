import type { Operation, Shape } from './model-types.js';
import type { Place } from './samples-text.js';
import { formatScalar } from './rest-values.js';
import { xmlMemberName } from './xml.js';
import { queryMemberName } from './query-decode.js';
import { ValueGenerator, type Ctx } from './samples-values.js';

// The walk over an operation's shapes: which members are set, where each travels, and the
// wire rules that tie members together; leaf values come from ValueGenerator.

/** The request URI template's greedy labels ({Key+}) for REST inputs. */
function greedyLabels(op: Operation): Set<string> {
  const out = new Set<string>();
  for (const m of (op.http?.requestUri ?? '').matchAll(/\{([^}+]+)\+\}/g)) out.add(m[1]!);
  return out;
}

export class Generator extends ValueGenerator {
  private nodes = 0;

  private get maxNodes(): number {
    return this.opts.maxNodes ?? 400;
  }

  private get overBudget(): boolean {
    return this.nodes > this.maxNodes;
  }

  /** The operation's input or output structure, honouring the REST protocols' HTTP bindings. */
  top(op: Operation, cop: Operation | undefined): Record<string, unknown> {
    const dir = this.opts.direction;
    const ref = dir === 'input' ? op.input : op.output;
    if (!ref) return {};
    const cref = dir === 'input' ? cop?.input : cop?.output;
    const shape = this.model.resolve(ref);
    const rest = this.opts.protocol === 'rest-xml' || this.opts.protocol === 'rest-json';
    const base: Place = this.opts.protocol === 'json' || this.opts.protocol === 'rpc-v2-cbor' || this.opts.protocol === 'rest-json' ? 'json'
      : this.opts.protocol === 'rest-xml' ? 'xml'
        : dir === 'input' ? 'form' : 'xml';
    if (!rest) {
      return this.structure(shape, this.c(cref), { place: base, depth: 0, stack: [] }) as Record<string, unknown>;
    }
    const greedy = greedyLabels(op);
    const value = this.structure(shape, this.c(cref), { place: base, depth: 0, stack: [] }, (name, m) => {
      if (name === shape.payload) {
        return m.type === 'structure' || m.type === 'list' || m.type === 'map' || m.document ? base : 'payload';
      }
      switch (m.location) {
        case 'uri': return greedy.has(m.locationName ?? name) ? 'greedy-label' : 'label';
        case 'querystring': return 'query';
        case 'header': return 'header';
        case 'headers': return 'headers';
        case 'statusCode': return 'status';
        default: return base;
      }
    });
    return this.frameLength(shape, value);
  }

  /** A member bound to Content-Length states the payload's length, or is absent. */
  private frameLength(shape: Shape, value: Record<string, unknown>): Record<string, unknown> {
    for (const [name, ref] of Object.entries(shape.members ?? {})) {
      const m = this.model.resolve(ref);
      if (m.location !== 'header' || (m.locationName ?? name).toLowerCase() !== 'content-length' || !(name in value)) continue;
      const body = shape.payload ? value[shape.payload] : undefined;
      if (Buffer.isBuffer(body)) value[name] = body.length;
      else if (typeof body === 'string') value[name] = Buffer.byteLength(body);
      else delete value[name];
    }
    return value;
  }

  value(ref: Shape, cref: Shape | undefined, ctx: Ctx): unknown {
    this.nodes++;
    const shape = this.model.resolve(ref);
    const cs = cref ?? undefined;
    if (shape.document) return this.document(ctx.depth);
    switch (shape.type) {
      case 'structure': return this.structure(shape, cs, ctx);
      case 'list': return this.list(shape, cs, ctx);
      case 'map': return this.map(shape, cs, ctx);
      case 'boolean': return this.rng.bool();
      case 'byte': case 'short': case 'integer': case 'long': case 'biginteger':
        return this.integer(shape, cs, ctx);
      case 'float': case 'double': case 'bigdecimal':
        return this.float(shape, cs);
      case 'timestamp': return this.timestamp(shape, ctx);
      case 'blob': return this.blob(ctx);
      default: return this.string(shape, cs, ctx);
    }
  }

  structure(
    shape: Shape, cs: Shape | undefined, ctx: Ctx,
    placeOf?: (name: string, member: Shape) => Place | 'headers' | 'status',
  ): Record<string, unknown> {
    const out: Record<string, unknown> = {};
    const required = new Set(shape.required ?? []);
    const recursive = ctx.stack.includes(shape);
    const shallow = recursive || ctx.depth >= (this.opts.maxDepth ?? 6);
    const members = Object.entries(shape.members ?? {});
    const stack = [...ctx.stack, shape];
    if (shape.union) {
      if (members.length === 0) return out;
      const [name, ref] = this.rng.pick(members);
      out[name] = this.value(ref, this.c(cs?.members?.[name]), { ...ctx, depth: ctx.depth + 1, stack });
      return out;
    }
    const alwaysSet = placeOf ? this.alwaysSet(shape) : new Set<string>();
    const ambiguous = this.sharedWireNames(shape, ctx.place, placeOf);
    for (const [name, ref] of members) {
      const isRequired = required.has(name) || alwaysSet.has(name);
      let include: boolean;
      if (ambiguous.has(name)) include = false;
      else if (isRequired) include = true;
      else if (shallow || this.overBudget) include = false;
      else if (this.mode === 'all') include = true;
      else if (this.mode === 'required') include = false;
      else include = this.rng.bool(0.5);
      if (!include) continue;
      const m = this.model.resolve(ref);
      const cm = this.c(cs?.members?.[name]);
      const where = placeOf ? placeOf(name, m) : ctx.place;
      if (where === 'status') {
        out[name] = this.rng.pick([200, 201, 204, 206]);
        continue;
      }
      if (where === 'headers') {
        out[name] = this.headerMap(m, cm);
        continue;
      }
      const twin = placeOf && where === 'header' ? this.headerTwin(shape, name, out) : undefined;
      if (twin) {
        if (twin.value !== undefined) out[name] = twin.value;
        continue;
      }
      const special = this.special(m, where);
      out[name] = special !== undefined ? special : this.value(ref, cm, { place: where, depth: ctx.depth + 1, stack });
    }
    // A form-encoded structure with nothing set leaves no parameter behind: it has no wire form.
    if (ctx.place === 'form' && ctx.depth > 0 && members.length > 0 && Object.keys(out).length === 0) {
      const [name, ref] = this.rng.pick(members);
      out[name] = this.value(ref, this.c(cs?.members?.[name]), { ...ctx, depth: ctx.depth + 1, stack });
    }
    return out;
  }

  /**
   * Members that must be set for the client to read the answer as sent: a rest-xml output's
   * non-streaming payload (S3 always sends that document or text; an absent one has no form
   * apart from an empty one, and the JS SDK takes an empty 200 body from CopyObject /
   * UploadPartCopy for a failed copy).
   */
  private alwaysSet(shape: Shape): Set<string> {
    const out = new Set<string>();
    if (this.opts.direction === 'output' && shape.payload) {
      const p = this.model.resolve(shape.members![shape.payload]!);
      if (!p.streaming) out.add(shape.payload);
    }
    return out;
  }

  /**
   * Two members bound to one header (S3 Expires as a timestamp and ExpiresString as its text)
   * carry one value: the later one repeats the earlier one's header text, or is left out when
   * it cannot.
   */
  private headerTwin(shape: Shape, name: string, out: Record<string, unknown>): { value: unknown } | undefined {
    const wire = (n: string, m: Shape) => (m.locationName ?? n).toLowerCase();
    const m = this.model.resolve(shape.members![name]!);
    for (const [other, ref] of Object.entries(shape.members ?? {})) {
      if (other === name) return undefined; // only earlier members count
      const o = this.model.resolve(ref);
      if (o.location !== 'header' || wire(other, o) !== wire(name, m)) continue;
      const v = out[other];
      if (v === undefined) return { value: undefined };
      if ((m.type ?? 'string') === 'string' && !m.jsonvalue) return { value: formatScalar(o, v, 'rfc822') };
      return { value: undefined };
    }
    return undefined;
  }

  /** Members that share their wire name with another member of the structure. */
  private sharedWireNames(
    shape: Shape, place: Place, placeOf?: (name: string, member: Shape) => Place | 'headers' | 'status',
  ): Set<string> {
    const byName = new Map<string, string[]>();
    for (const [name, ref] of Object.entries(shape.members ?? {})) {
      const m = this.model.resolve(ref);
      const where = placeOf ? placeOf(name, m) : place;
      let wire: string;
      if (where === 'xml') wire = m.xmlAttribute ? `@${m.locationName ?? name}` : xmlMemberName(this.model, name, ref, { ec2: this.opts.protocol === 'ec2' });
      else if (where === 'form') wire = queryMemberName(name, m, this.opts.protocol === 'ec2');
      else continue;
      byName.set(wire, [...(byName.get(wire) ?? []), name]);
    }
    return new Set([...byName.values()].filter((names) => names.length > 1).flat());
  }

  /** Members whose traits say what their text must look like. */
  private special(m: Shape, place: Place): unknown {
    const param = (m.contextParam as { name?: string } | undefined)?.name;
    if (param === 'Bucket') return this.bucketName();
    // CopyObject marks its copy source with contextParam; UploadPartCopy's only by its header.
    if (param === 'CopySource' || (m.location === 'header' && m.locationName?.toLowerCase() === 'x-amz-copy-source')) return `${this.bucketName()}/${this.unreserved(1, 16)}`;
    if (m.hostLabel) return this.dnsLabel();
    if (place === 'label' || place === 'greedy-label') {
      if (m.type === undefined || m.type === 'string') return undefined; // textFor handles labels
    }
    return undefined;
  }

  list(shape: Shape, cs: Shape | undefined, ctx: Ctx): unknown[] {
    const isXml = ctx.place === 'xml';
    const httpList = ctx.place === 'header' || ctx.place === 'query';
    // EC2's query dialect has no spelling for an empty list: neither client writes anything.
    const ec2Form = ctx.place === 'form' && this.opts.protocol === 'ec2';
    const needsItem = (isXml && shape.flattened) || httpList || ec2Form;
    let [min, max] = this.lengthBounds(cs, shape, [0, 3]);
    if (needsItem) min = Math.max(min, 1);
    if (this.mode === 'all') min = Math.max(min, 1);
    if (this.overBudget || ctx.depth >= (this.opts.maxDepth ?? 6)) max = min;
    if (this.mode === 'all') max = Math.min(max, Math.max(min, 2));
    const n = this.rng.int(min, Math.max(min, max));
    const out: unknown[] = [];
    const memberRef = shape.member!;
    const cm = this.c(cs?.member);
    const itemCtx: Ctx = { ...ctx, depth: ctx.depth + 1, headerItem: ctx.place === 'header' };
    for (let i = 0; i < n; i++) out.push(this.value(memberRef, cm, itemCtx));
    return out;
  }

  map(shape: Shape, cs: Shape | undefined, ctx: Ctx): Record<string, unknown> {
    let [min, max] = this.lengthBounds(cs, shape, [0, 3]);
    if (ctx.place === 'xml' && shape.flattened) min = Math.max(min, 1);
    if (ctx.place === 'form' || this.mode === 'all') min = Math.max(min, 1);
    if (this.overBudget || ctx.depth >= (this.opts.maxDepth ?? 6)) max = min;
    const n = this.rng.int(min, Math.max(min, max));
    const keyRef = shape.key ?? { type: 'string' as const };
    const keyShape = this.model.resolve(keyRef);
    const ck = this.c(cs?.key);
    const out: Record<string, unknown> = {};
    const itemCtx: Ctx = { ...ctx, depth: ctx.depth + 1 };
    for (let i = 0, tries = 0; Object.keys(out).length < n && tries < n * 8; tries++, i++) {
      const key = String(this.string(keyShape, ck, { ...itemCtx, place: ctx.place }, 1));
      if (key === '' || Object.hasOwn(out, key) || key === '__proto__') continue;
      Object.defineProperty(out, key, {
        value: this.value(shape.value!, this.c(cs?.value), itemCtx), enumerable: true, writable: true, configurable: true,
      });
    }
    return out;
  }
}
