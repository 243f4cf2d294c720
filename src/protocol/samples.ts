import type { ServiceModel } from './models.js';
import type { Operation, Shape } from './model-types.js';
import { Rng, deriveSeed } from './samples-rng.js';
import { PLACE_TEXT, textFor, type Place } from './samples-text.js';
import { formatScalar } from './rest-values.js';
import { xmlMemberName } from './xml.js';
import { queryMemberName } from './query-decode.js';

export { Rng, deriveSeed } from './samples-rng.js';
export type { Place } from './samples-text.js';

/**
 * Model-driven sample values: for any operation, inputs and outputs that exercise every kind
 * of shape (strings, every integer width at its bounds, floats, booleans, timestamps in each
 * wire format, blobs, empty / flattened lists, maps, nested structures, unions), seeded so that
 * a case replays from (seed, operation, index) alone.
 *
 * Values are the codec value conventions (codec.ts): Date, Buffer, number, boolean, string,
 * arrays, plain objects keyed by member name. They are restricted to what the wire between an
 * official client and cloudlet can actually carry; every such restriction is listed in
 * RESTRICTIONS with its reason, and nothing is restricted silently.
 *
 * Constraints: the aws-sdk v2 .min.json models cloudlet reads drop enums, patterns and length /
 * range limits, and the @aws-sdk/client-* schemas keep only serialization traits (no @enum,
 * @length, @range, @pattern). So `constraints` may name a richer model in the same format
 * (botocore's service-2.json carries enum/min/max): it is walked in parallel, member by member,
 * and its enum / min / max win. Patterns are never honoured (no client or cloudlet checks them).
 */

export type Direction = 'input' | 'output';
export type WireProtocol = 'query' | 'ec2' | 'rest-xml' | 'json' | 'rpc-v2-cbor';
/** The client that must serialize (input) or parse (output) the values. */
export type Carrier = 'sdk-js-v3' | 'botocore' | 'any';
export type SampleMode = 'all' | 'required' | 'random';

export interface SampleOptions {
  seed: number;
  direction: Direction;
  protocol: WireProtocol;
  carrier?: Carrier;
  /** A model in the same format with the traits the .min.json lost (enum, min, max). */
  constraints?: ServiceModel;
  /** Structure depth past which only required members are set. */
  maxDepth?: number;
  /** Rough cap on values per sample; past it optional members stop and lists shrink. */
  maxNodes?: number;
}

export interface Sample {
  operation: string;
  direction: Direction;
  index: number;
  mode: SampleMode;
  /** Replays the case: `${seed}:${operation}:${direction}#${index}`. */
  label: string;
  value: Record<string, unknown>;
}

/** One restriction on generated values: where it applies, what it is, and why. */
export interface Restriction {
  id: string;
  applies: string;
  rule: string;
  why: string;
}

export const RESTRICTIONS: readonly Restriction[] = [
  { id: 'text-xml', applies: 'strings carried in XML (query/ec2 responses, rest-xml bodies)',
    rule: 'only XML 1.0 characters: no C0 controls other than TAB/LF/CR, no U+FFFE/U+FFFF',
    why: 'XML 1.0 cannot represent them at all (not even as character references); AWS cannot carry them either' },
  { id: 'text-header', applies: 'strings bound to HTTP headers (rest-xml header / headers members)',
    rule: 'printable US-ASCII (0x20-0x7E), no leading or trailing space, never empty',
    why: 'HTTP trims optional whitespace around field values, Node and the SDKs refuse controls and non-Latin-1 in headers, and an empty header is dropped by botocore; S3 itself only stores US-ASCII header values' },
  { id: 'header-map-key', applies: 'keys of a `headers` map (S3 x-amz-meta-*)',
    rule: 'lower-case token characters [a-z0-9-], non-empty',
    why: 'header names are case-insensitive (every HTTP stack lower-cases them) and must be RFC 7230 tokens' },
  { id: 'label', applies: 'URI labels ({Bucket}, {Key+})',
    rule: "non-empty; no path segment that is '.' or '..'",
    why: 'an empty label changes which URI template matches, and dot segments are collapsed by URL normalisation in HTTP stacks' },
  { id: 'bucket', applies: "members with contextParam 'Bucket'",
    rule: 'S3 bucket-name rules: [a-z0-9][a-z0-9-]{1,61}[a-z0-9]',
    why: 'both SDKs run endpoint rules and bucket validation on it (the JS SDK refuses "/", botocore refuses names outside [a-zA-Z0-9.-_]{1,255})' },
  { id: 'copy-source', applies: "members with contextParam 'CopySource' or bound to x-amz-copy-source",
    rule: "'bucket/key' with URL-unreserved characters only",
    why: 'botocore percent-encodes a CopySource string before sending and the JS SDK does not, so only unreserved text is sent identically by both' },
  { id: 'host-label', applies: 'members with hostLabel (also sent as a host prefix)',
    rule: 'a DNS label [a-z0-9]([a-z0-9-]*[a-z0-9])?',
    why: 'they become part of the hostname' },
  { id: 'rfc822-seconds', applies: 'timestamps written as RFC 822 (headers by default, or timestampFormat rfc822)',
    rule: 'whole seconds',
    why: 'the HTTP-date format has no fraction; AWS cannot carry milliseconds there' },
  { id: 'botocore-epoch-seconds', applies: 'botocore, JSON protocols, epoch-second timestamps (request direction)',
    rule: 'whole seconds',
    why: "botocore's JSON serializer writes int(timestamp), dropping the fraction" },
  { id: 'timestamp-range', applies: 'every timestamp',
    rule: '1970-01-01T00:00:00Z .. 9999-12-31T23:59:59.999Z',
    why: 'ISO 8601 and RFC 822 both need a 4-digit year, and botocore parses epoch values through Python datetime (no years past 9999)' },
  { id: 'long-range', applies: 'long / biginteger values',
    rule: '|n| <= 2^53 - 1',
    why: 'the codec value convention is a JS number, and cloudlet refuses wider longs on input instead of silently rounding' },
  { id: 'no-negative-zero', applies: 'floats and doubles', rule: 'never -0',
    why: "every wire form (JSON numbers, String(n) in query/XML/headers) writes -0 as '0'" },
  { id: 'non-finite', applies: 'floats and doubles in JSON responses read by botocore',
    rule: 'no NaN or Infinity',
    why: 'awsJson carries them as the strings "NaN" / "Infinity" / "-Infinity", and botocore\'s JSON reader returns those strings unconverted' },
  { id: 'nonempty-flattened', applies: 'flattened lists and maps carried in XML',
    rule: 'at least one item',
    why: 'an empty flattened list has no XML form at all (no wrapper element), so it reads back as absent' },
  { id: 'nonempty-http-list', applies: 'lists bound to a header or a query-string parameter',
    rule: 'at least one non-empty item',
    why: 'an empty list is no header / no parameter at all, and an empty item has no representation in a comma-separated header' },
  { id: 'header-list-item', applies: 'string items of lists bound to a header',
    rule: 'no comma, no double quote',
    why: 'AWS splits such headers on commas; quoting is not applied by every client' },
  { id: 'payload-text', applies: 'rest-xml string payloads (e.g. a bucket policy document)',
    rule: 'non-empty',
    why: 'an empty body is indistinguishable from no payload' },
  { id: 'form-empty-structure', applies: 'structures inside query / ec2 requests',
    rule: 'at least one member set',
    why: 'a form-encoded structure with no members set writes no parameter at all, so it reads back as absent (a list loses the item)' },
  { id: 'form-empty-map', applies: 'maps inside query / ec2 requests',
    rule: 'at least one entry',
    why: 'both the JS SDK and botocore write no parameter at all for an empty map, so it reads back as absent' },
  { id: 'shared-header', applies: 'members bound to the same header (S3 Expires / ExpiresString)',
    rule: 'the later member repeats the earlier one\'s header text (or is left out)',
    why: 'one header carries one value' },
  { id: 'output-payload', applies: 'rest-xml outputs with a non-streaming payload',
    rule: 'the payload is always set',
    why: 'S3 always sends that document or text: an absent payload has no form apart from an empty one (botocore reads it as \'\'), and the JS SDK reads an empty 200 body from CopyObject / UploadPartCopy as a failed copy' },
  { id: 'content-length', applies: 'members bound to the Content-Length header',
    rule: 'equal to the payload\'s byte length (left out when there is no payload)',
    why: 'the header frames the body: clients check it (botocore raises IncompleteReadError) and HTTP cannot carry a different one' },
  { id: 'shared-element', applies: 'members of one structure that share a wire name (S3\'s deprecated CloudFunctionConfiguration Event / Events)',
    rule: 'never set',
    why: 'the document cannot say which member an element belongs to' },
  { id: 'botocore-xml-cr', applies: 'strings in XML request bodies written by botocore',
    rule: 'no carriage return',
    why: 'botocore leaves CR unescaped, and XML parsing turns a raw CR into LF (XML 1.0 section 2.11)' },
  { id: 'botocore-header-seconds', applies: 'timestamps in request headers written by botocore',
    rule: 'whole seconds',
    why: 'botocore formats header timestamps from a time tuple, dropping the fraction whatever the format' },
  { id: 'ec2-empty-list', applies: 'lists in ec2-protocol requests',
    rule: 'at least one item',
    why: 'the EC2 query dialect has no form for an empty list: both clients write no parameter, so it reads back as absent' },
  { id: 'headers-map', applies: '`headers` maps (S3 x-amz-meta-*)', rule: 'at least one entry',
    why: 'an empty prefix-header map sends no header at all' },
  { id: 'xml-blank', applies: 'non-empty strings in XML responses read by the JS SDK',
    rule: 'not whitespace-only',
    why: 'the JS SDK\'s XML reader drops whitespace-only text (it cannot tell it from indentation), so it reads back as an empty string' },
  { id: 'cbor-bom', applies: 'strings in rpc-v2-cbor responses read by the JS SDK',
    rule: 'no leading U+FEFF',
    why: "the SDK's CBOR decoder reads text from a Uint8Array with TextDecoder, which drops a leading byte-order mark" },
  { id: 'map-keys', applies: 'map keys', rule: 'distinct, non-empty',
    why: 'maps have unique keys; an empty key has no XML/query form that every client reads back' },
];

const TYPE_BOUNDS: Record<string, [number, number]> = {
  byte: [-128, 127],
  short: [-32768, 32767],
  integer: [-2147483648, 2147483647],
  long: [-Number.MAX_SAFE_INTEGER, Number.MAX_SAFE_INTEGER],
  biginteger: [-Number.MAX_SAFE_INTEGER, Number.MAX_SAFE_INTEGER],
};

const TS_MIN = 0;
const TS_MAX = Date.UTC(9999, 11, 31, 23, 59, 59, 999);
const TS_EDGES = [TS_MIN, 2147483647000, TS_MAX, Date.UTC(1999, 11, 31, 23, 59, 59, 500), Date.UTC(2024, 1, 29, 12, 0, 0, 1)];

const FLOAT_MAX = 3.4028234663852886e38;
const FLOAT_MIN = 1.401298464324817e-45;

interface Ctx {
  place: Place;
  depth: number;
  /** Shapes on the path from the root: a shape met again is only filled with required members. */
  stack: Shape[];
  /** Item of a list bound to a header. */
  headerItem?: boolean;
}

/** The request URI template's greedy labels ({Key+}) for rest-xml inputs. */
function greedyLabels(op: Operation): Set<string> {
  const out = new Set<string>();
  for (const m of (op.http?.requestUri ?? '').matchAll(/\{([^}+]+)\+\}/g)) out.add(m[1]!);
  return out;
}

class Generator {
  private nodes = 0;

  constructor(
    private readonly model: ServiceModel,
    private readonly opts: SampleOptions,
    private readonly rng: Rng,
    private readonly mode: SampleMode,
  ) {}

  private get maxNodes(): number {
    return this.opts.maxNodes ?? 400;
  }

  private get overBudget(): boolean {
    return this.nodes > this.maxNodes;
  }

  private c(ref: Shape | undefined): Shape | undefined {
    if (!ref || !this.opts.constraints) return undefined;
    try {
      return this.opts.constraints.resolve(ref);
    } catch {
      return undefined;
    }
  }

  /** The operation's input or output structure, honouring rest-xml HTTP bindings. */
  top(op: Operation, cop: Operation | undefined): Record<string, unknown> {
    const dir = this.opts.direction;
    const ref = dir === 'input' ? op.input : op.output;
    if (!ref) return {};
    const cref = dir === 'input' ? cop?.input : cop?.output;
    const shape = this.model.resolve(ref);
    const base: Place = this.opts.protocol === 'json' || this.opts.protocol === 'rpc-v2-cbor' ? 'json'
      : this.opts.protocol === 'rest-xml' ? 'xml'
        : dir === 'input' ? 'form' : 'xml';
    if (this.opts.protocol !== 'rest-xml') {
      return this.structure(shape, this.c(cref), { place: base, depth: 0, stack: [] }) as Record<string, unknown>;
    }
    const greedy = greedyLabels(op);
    const value = this.structure(shape, this.c(cref), { place: 'xml', depth: 0, stack: [] }, (name, m) => {
      if (name === shape.payload) {
        return m.type === 'structure' || m.type === 'list' || m.type === 'map' ? 'xml' : 'payload';
      }
      switch (m.location) {
        case 'uri': return greedy.has(m.locationName ?? name) ? 'greedy-label' : 'label';
        case 'querystring': return 'query';
        case 'header': return 'header';
        case 'headers': return 'headers';
        case 'statusCode': return 'status';
        default: return 'xml';
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

  /** A document value: any JSON value (no number that JSON would round). */
  private document(depth: number): unknown {
    switch (this.rng.int(0, depth > 2 ? 3 : 5)) {
      case 0: return this.rng.bool();
      case 1: return this.rng.int(-1e6, 1e6);
      case 2: return textFor(this.rng, 'json', 0, 8, this.mode);
      case 3: return null;
      case 4: return Array.from({ length: this.rng.int(0, 3) }, () => this.document(depth + 1));
      default: {
        const out: Record<string, unknown> = {};
        for (let i = 0, n = this.rng.int(0, 3); i < n; i++) out[`k${i}`] = this.document(depth + 1);
        return out;
      }
    }
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

  private bucketName(): string {
    const abc = 'abcdefghijklmnopqrstuvwxyz0123456789';
    const len = this.rng.pick([3, 8, 12, 63]);
    let s = '';
    for (let i = 0; i < len; i++) {
      const edge = i === 0 || i === len - 1;
      s += edge || !this.rng.bool(0.15) ? abc[this.rng.int(0, abc.length - 1)] : '-';
    }
    return s;
  }

  private dnsLabel(): string {
    const abc = 'abcdefghijklmnopqrstuvwxyz0123456789';
    let s = '';
    for (let i = 0, n = this.rng.int(1, 20); i < n; i++) s += abc[this.rng.int(0, abc.length - 1)];
    return s;
  }

  private unreserved(min: number, max: number): string {
    const abc = 'abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-_.~';
    let s = '';
    for (let i = 0, n = this.rng.int(min, max); i < n; i++) s += abc[this.rng.int(0, abc.length - 1)];
    return s.replace(/^\.+$/, 'x');
  }

  private lengthBounds(cs: Shape | undefined, shape: Shape, dflt: [number, number]): [number, number] {
    const min = Math.max(cs?.min ?? shape.min ?? dflt[0], dflt[0]);
    let max = cs?.max ?? shape.max ?? dflt[1];
    max = Math.min(max, Math.max(min, dflt[1]));
    return [min, Math.max(min, max)];
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

  private headerMap(m: Shape, cm: Shape | undefined): Record<string, string> {
    // An empty prefix-header map sends no header at all: at least one entry.
    const [min, max] = this.lengthBounds(cm, m, [1, 3]);
    const n = this.rng.int(min, max);
    const out: Record<string, string> = {};
    const abc = 'abcdefghijklmnopqrstuvwxyz0123456789-';
    for (let tries = 0; Object.keys(out).length < n && tries < 20; tries++) {
      let k = '';
      for (let i = 0, len = this.rng.int(1, 12); i < len; i++) k += abc[this.rng.int(0, abc.length - 1)];
      if (Object.hasOwn(out, k)) continue;
      out[k] = textFor(this.rng, 'header', 1, 24, this.mode);
    }
    return out;
  }

  integer(shape: Shape, cs: Shape | undefined, _ctx: Ctx): number {
    const type = shape.type ?? 'integer';
    let [lo, hi] = TYPE_BOUNDS[type] ?? TYPE_BOUNDS.integer!;
    const cmin = cs?.min ?? shape.min;
    const cmax = cs?.max ?? shape.max;
    if (typeof cmin === 'number' && cmin > lo && cmin <= hi) lo = Math.ceil(cmin);
    if (typeof cmax === 'number' && cmax < hi && cmax >= lo) hi = Math.floor(cmax);
    const edges = [lo, hi, ...(lo <= 0 && hi >= 0 ? [0] : []), ...(lo <= 1 && hi >= 1 ? [1] : [])];
    return this.rng.bool(0.5) ? this.rng.pick(edges) : this.rng.int(lo, hi);
  }

  float(shape: Shape, cs: Shape | undefined): number {
    const single = shape.type === 'float';
    const max = single ? FLOAT_MAX : Number.MAX_VALUE;
    const tiny = single ? FLOAT_MIN : Number.MIN_VALUE;
    const candidates = [0, 1.5, -2.25, 0.1, 1e21, -1e-7, 123456.789, max, -max, tiny];
    // botocore's JSON reader hands the strings "NaN" / "Infinity" back unconverted (RESTRICTIONS 'non-finite').
    const botocoreCannot = this.opts.carrier !== 'sdk-js-v3' && this.opts.protocol === 'json' && this.opts.direction === 'output';
    if (!botocoreCannot) candidates.push(NaN, Infinity, -Infinity);
    const lo = cs?.min ?? shape.min;
    const hi = cs?.max ?? shape.max;
    const ok = (n: number) => Number.isNaN(n) || ((lo === undefined || n >= lo) && (hi === undefined || n <= hi));
    const pool = candidates.filter(ok);
    if (pool.length === 0 || this.rng.bool(0.4)) {
      const a = lo ?? -1e6;
      const b = hi ?? 1e6;
      const n = a + this.rng.float() * (b - a);
      return Object.is(n, -0) ? 0 : n;
    }
    return this.rng.pick(pool);
  }

  timestamp(shape: Shape, ctx: Ctx): Date {
    const format = shape.timestampFormat
      ?? (ctx.place === 'header' ? 'rfc822' : ctx.place === 'json' ? 'unixTimestamp' : 'iso8601');
    let ms = this.rng.bool(0.5) ? this.rng.pick(TS_EDGES) : this.rng.int(TS_MIN, Date.UTC(2100, 0, 1));
    const botocoreIn = this.opts.carrier !== 'sdk-js-v3' && this.opts.direction === 'input';
    const wholeSeconds = format === 'rfc822'
      || (botocoreIn && (format === 'unixTimestamp' || ctx.place === 'header'));
    if (wholeSeconds) ms -= ms % 1000;
    return new Date(ms);
  }

  blob(ctx: Ctx): Buffer {
    const max = ctx.place === 'payload' ? 64 : 24;
    const min = ctx.place === 'payload' ? 1 : 0;
    return this.rng.bytes(this.rng.int(min, this.mode === 'all' ? Math.max(min, 8) : max));
  }

  string(shape: Shape, cs: Shape | undefined, ctx: Ctx, minLen = 0): string {
    const enums = cs?.enum ?? shape.enum;
    if (enums && enums.length > 0) {
      const usable = enums.filter((e) => PLACE_TEXT[ctx.place].accepts(e) && e.length >= minLen);
      if (usable.length > 0) return this.rng.pick(usable);
    }
    let [min, max] = this.lengthBounds(cs, shape, [minLen, 16]);
    if (ctx.place === 'payload') min = Math.max(min, 1);
    if (ctx.headerItem) min = Math.max(min, 1);
    // botocore's XML writer leaves CR raw, and XML parsing turns a raw CR into LF.
    const noCR = ctx.place === 'xml' && this.opts.direction === 'input' && this.opts.carrier !== 'sdk-js-v3';
    // The JS SDK's XML reader drops whitespace-only text (it cannot tell it from indentation).
    const noBlank = ctx.place === 'xml' && this.opts.direction === 'output' && this.opts.carrier !== 'botocore';
    const text = textFor(this.rng, ctx.place, min, max, this.mode, { headerItem: ctx.headerItem, noCR, noBlank });
    // The JS SDK decodes CBOR text from a Uint8Array with TextDecoder, which drops a leading BOM.
    if (this.opts.protocol === 'rpc-v2-cbor' && this.opts.direction === 'output' && this.opts.carrier !== 'botocore' && text.startsWith('\ufeff')) {
      return text.length > min ? text.slice(1) : `x${text.slice(1)}`;
    }
    return text;
  }
}

function modeOf(index: number): SampleMode {
  return index === 0 ? 'all' : index === 1 ? 'required' : 'random';
}

/** Case `index` of an operation's inputs or outputs: 0 sets every member, 1 only required ones, 2+ random subsets. */
export function sampleFor(model: ServiceModel, operation: string, index: number, opts: SampleOptions): Sample {
  const op = model.operation(operation);
  if (!op) throw new Error(`no operation ${operation}`);
  const label = `${opts.seed}:${operation}:${opts.direction}#${index}`;
  const rng = new Rng(deriveSeed(opts.seed, `${operation}:${opts.direction}#${index}`));
  const mode = modeOf(index);
  const cop = opts.constraints?.operation(operation);
  const value = new Generator(model, opts, rng, mode).top(op, cop);
  return { operation, direction: opts.direction, index, mode, label, value };
}

export function operationSamples(model: ServiceModel, operation: string, cases: number, opts: SampleOptions): Sample[] {
  const out: Sample[] = [];
  for (let i = 0; i < cases; i++) out.push(sampleFor(model, operation, i, opts));
  return out;
}

/** A value for one shape, outside any operation (tests, fuzzers). */
export function sampleShape(model: ServiceModel, ref: Shape, opts: SampleOptions & { mode?: SampleMode; place?: Place }): unknown {
  const rng = new Rng(opts.seed);
  return new Generator(model, opts, rng, opts.mode ?? 'random').value(ref, undefined, { place: opts.place ?? 'json', depth: 0, stack: [] });
}
