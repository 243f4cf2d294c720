import { AwsError } from '../core/errors.js';
import type { ServiceModel } from './models.js';
import type { Shape } from './model-types.js';

/**
 * Turns flat `A.B.member.1.C=v` parameters into typed input, walking the input shape so that
 * only names the model defines are ever looked at (AWS ignores the rest).
 */

/** Where a value that failed to decode sat, in both spellings errors need. */
export interface BadValue {
  /** The parameter name on the wire, e.g. 'BlockDeviceMapping.1.Ebs.VolumeSize'. */
  wirePath: string;
  /** lowerCamel model path as validate.ts prints it, e.g. 'tags.1.member.key'. */
  modelPath: string;
  raw: string;
  /** 'integer' | 'long' | 'float' | 'double' | 'boolean' | 'timestamp' | 'blob' | ... */
  type: string;
}

export interface DecodeRules {
  /** EC2: names by queryName / capitalised locationName, every list is `Name.N`. */
  ec2: boolean;
  badValue(bad: BadValue): AwsError;
}

/** Parameters after percent-decoding; Map so hostile names never touch an object prototype. */
export type QueryParams = Map<string, string>;

function percentDecode(s: string): string {
  try {
    return decodeURIComponent(s.replace(/\+/g, ' '));
  } catch {
    throw new AwsError('MalformedQueryString', `The query string contains a malformed percent-encoding: ${s.slice(0, 64)}`);
  }
}

/**
 * Parameters one request may carry (query string and form body together). The largest real
 * requests (CloudWatch PutMetricData within its 1 MB, EC2 calls with 1,000 IDs) stay far
 * below; past a few hundred thousand, building the map alone took seconds of event loop.
 */
export const MAX_QUERY_PARAMS = 50_000;
/** Dotted segments of one name that are looked at: no model nests anywhere near this deep. */
export const MAX_NAME_SEGMENTS = 64;

/** Adds `a=1&b=2` pairs to `into`; later pairs overwrite earlier ones. */
export function parseForm(text: string, into: QueryParams = new Map()): QueryParams {
  if (!text) return into;
  let pairs = into.size;
  for (let start = 0; start <= text.length;) {
    let end = text.indexOf('&', start);
    if (end < 0) end = text.length;
    if (end > start) {
      if (++pairs > MAX_QUERY_PARAMS) {
        throw new AwsError('MalformedQueryString', `The request has more than ${MAX_QUERY_PARAMS} parameters.`);
      }
      const pair = text.slice(start, end);
      const eq = pair.indexOf('=');
      const name = percentDecode(eq < 0 ? pair : pair.slice(0, eq));
      if (name) into.set(name, eq < 0 ? '' : percentDecode(pair.slice(eq + 1)));
    }
    start = end + 1;
  }
  return into;
}

/** Whether a name has more dotted segments than any model path (such names match nothing). */
function tooDeep(name: string): boolean {
  let dots = 0;
  for (let i = name.indexOf('.'); i >= 0; i = name.indexOf('.', i + 1)) if (++dots >= MAX_NAME_SEGMENTS) return true;
  return false;
}

interface Node {
  value?: string;
  kids?: Map<string, Node>;
}

/** Groups dotted names into a tree: `A.member.1` -> A -> member -> 1. */
function toTree(params: QueryParams): Node {
  const root: Node = {};
  for (const [name, value] of params) {
    // AWS ignores parameters the model does not define; these cannot be defined.
    if (tooDeep(name)) continue;
    let node = root;
    for (const seg of name.split('.')) {
      node.kids ??= new Map();
      let next = node.kids.get(seg);
      if (!next) node.kids.set(seg, (next = {}));
      node = next;
    }
    node.value = value;
  }
  return root;
}

const upperFirst = (s: string) => (s ? s[0]!.toUpperCase() + s.slice(1) : s);
const lowerFirst = (s: string) => (s ? s[0]!.toLowerCase() + s.slice(1) : s);

/** The wire name of a structure member (botocore's QuerySerializer / EC2Serializer rules). */
export function queryMemberName(memberName: string, shape: Shape, ec2: boolean): string {
  if (ec2) return shape.queryName ?? (shape.locationName ? upperFirst(shape.locationName) : memberName);
  // A flattened list takes its member's locationName in place of its own.
  if (shape.type === 'list' && shape.flattened && shape.member?.locationName) return shape.member.locationName;
  return shape.locationName ?? memberName;
}

/** The `.N` children of a node in index order; non-index names are not list items. */
function indexed(node: Node | undefined): Array<[number, Node]> {
  if (!node?.kids) return [];
  const out: Array<[number, Node]> = [];
  for (const [seg, kid] of node.kids) if (/^[1-9]\d{0,8}$/.test(seg)) out.push([Number(seg), kid]);
  return out.sort((a, b) => a[0] - b[0]);
}

/** Sets a key that came from the client without letting '__proto__' reach the prototype. */
function define(obj: Record<string, unknown>, key: string, value: unknown): void {
  Object.defineProperty(obj, key, { value, enumerable: true, writable: true, configurable: true });
}

interface Where {
  wire: string;
  model: string;
}
const join = (a: string, b: string) => (a ? `${a}.${b}` : b);

class Decoder {
  constructor(private readonly model: ServiceModel, private readonly rules: DecodeRules) {}

  value(shape: Shape, node: Node, at: Where): unknown {
    switch (shape.type) {
      case 'structure':
        return this.structure(shape, node, at);
      case 'list':
        return this.list(shape, node, at);
      case 'map':
        return this.map(shape, node, at);
      default:
        return node.value === undefined ? undefined : this.scalar(shape, node.value, at);
    }
  }

  structure(shape: Shape, node: Node, at: Where): Record<string, unknown> {
    const out: Record<string, unknown> = {};
    for (const [name, ref] of Object.entries(shape.members ?? {})) {
      const member = this.model.resolve(ref);
      const wireName = queryMemberName(name, member, this.rules.ec2);
      const kid = node.kids?.get(wireName);
      if (!kid) continue;
      const v = this.value(member, kid, { wire: join(at.wire, wireName), model: join(at.model, lowerFirst(name)) });
      if (v !== undefined) out[name] = v;
    }
    return out;
  }

  list(shape: Shape, node: Node, at: Where): unknown[] | undefined {
    // `Name=` with nothing under it is how query clients say "empty list".
    if (!node.kids) return node.value === '' ? [] : undefined;
    const member = this.model.resolve(shape.member!);
    let items: Node | undefined = node;
    let wire = at.wire;
    if (!this.rules.ec2 && !shape.flattened) {
      const itemName = member.locationName ?? 'member';
      items = node.kids.get(itemName);
      wire = join(wire, itemName);
    }
    const entries = indexed(items);
    if (entries.length === 0) return node.value === '' ? [] : undefined;
    const out: unknown[] = [];
    for (const [i, kid] of entries) {
      const v = this.value(member, kid, { wire: `${wire}.${i}`, model: `${at.model}.${i}.member` });
      if (v !== undefined) out.push(v);
    }
    return out;
  }

  map(shape: Shape, node: Node, at: Where): Record<string, unknown> | undefined {
    if (!node.kids) return node.value === '' ? {} : undefined;
    const keyShape = this.model.resolve(shape.key ?? { type: 'string' });
    const valueShape = this.model.resolve(shape.value!);
    const keyName = keyShape.locationName ?? 'key';
    const valueName = valueShape.locationName ?? 'value';
    const entriesNode = shape.flattened ? node : node.kids.get('entry');
    const wire = shape.flattened ? at.wire : join(at.wire, 'entry');
    const out: Record<string, unknown> = {};
    let any = false;
    for (const [i, entry] of indexed(entriesNode)) {
      const key = entry.kids?.get(keyName)?.value;
      const valueNode = entry.kids?.get(valueName);
      if (key === undefined || !valueNode) continue;
      const v = this.value(valueShape, valueNode, { wire: `${wire}.${i}.${valueName}`, model: `${at.model}.${key}` });
      if (v === undefined) continue;
      define(out, key, v);
      any = true;
    }
    return any ? out : undefined;
  }

  scalar(shape: Shape, raw: string, at: Where): unknown {
    const type = shape.type ?? 'string';
    const bad = () => this.rules.badValue({ wirePath: at.wire, modelPath: at.model, raw, type });
    switch (type) {
      case 'integer': case 'long': case 'short': case 'byte': case 'biginteger': {
        if (!/^-?\d+$/.test(raw)) throw bad();
        const n = Number(raw);
        // Longs past 2^53 would silently lose digits as a JS number; refuse them instead.
        const [min, max] = type === 'long' || type === 'biginteger'
          ? [Number.MIN_SAFE_INTEGER, Number.MAX_SAFE_INTEGER]
          : [-(2 ** 31), 2 ** 31 - 1];
        if (n < min || n > max) throw bad();
        return n;
      }
      case 'float': case 'double': case 'bigdecimal': {
        if (raw === 'NaN' || raw === 'Infinity' || raw === '-Infinity') return Number(raw);
        if (!/^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/.test(raw)) throw bad();
        return Number(raw);
      }
      case 'boolean':
        if (raw === 'true') return true;
        if (raw === 'false') return false;
        throw bad();
      case 'timestamp': {
        const d = parseTimestamp(raw);
        if (!d) throw bad();
        return d;
      }
      case 'blob':
        if (!/^[A-Za-z0-9+/]*={0,2}$/.test(raw) || raw.length % 4 === 1) throw bad();
        return Buffer.from(raw, 'base64');
      default:
        return raw;
    }
  }
}

const ISO_8601 = /^(\d{4}-\d{2}-\d{2})(?:T(\d{2}:\d{2}(?::\d{2}(?:\.\d+)?)?)(Z|[+-]\d{2}:?\d{2})?)?$/i;

/** ISO-8601 (what SDKs send) or epoch seconds; undefined when it is neither. */
export function parseTimestamp(raw: string): Date | undefined {
  let d: Date;
  const iso = ISO_8601.exec(raw);
  if (/^-?\d+(\.\d+)?$/.test(raw)) d = new Date(Number(raw) * 1000);
  else if (iso) {
    const [, date, time, zone] = iso;
    // A time without a zone is UTC in AWS's reading; Date would take it as local time.
    const offset = !zone || /^z$/i.test(zone) ? 'Z' : zone.includes(':') ? zone : `${zone.slice(0, 3)}:${zone.slice(3)}`;
    d = new Date(time ? `${date}T${time}${offset}` : `${date}T00:00:00Z`);
  } else return undefined;
  return Number.isNaN(d.getTime()) ? undefined : d;
}

/** Decodes the input of shape `ref` from the request's parameters (Action/Version excluded by the model). */
export function decodeQueryInput(
  model: ServiceModel,
  ref: Shape | undefined,
  params: QueryParams,
  rules: DecodeRules,
): Record<string, unknown> {
  if (!ref) return {};
  const shape = model.resolve(ref);
  return new Decoder(model, rules).structure(shape, toTree(params), { wire: '', model: '' });
}
