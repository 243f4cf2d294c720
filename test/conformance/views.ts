/**
 * A client's own view of the shapes, to tell model skew from codec bugs: the generator works
 * from cloudlet's model (botocore's service-2.json vendored in models/); the JS SDK v3 and the
 * installed botocore ship their own, possibly newer or older, models. A generated member the client's model does not have (or types differently) is
 * pruned before the client sees it and counted as skew, never as a failure.
 */
import { NormalizedSchema } from '@smithy/core/schema';
import type { ServiceModel } from '../../src/protocol/models.js';
import type { Shape } from '../../src/protocol/model-types.js';

export type Kind = 'structure' | 'list' | 'map' | 'blob' | 'timestamp' | 'string' | 'number' | 'boolean' | 'document' | 'other';

export interface View {
  kind: Kind;
  streaming: boolean;
  idempotencyToken: boolean;
  /** Where a top-level member travels in REST protocols, e.g. 'header:expires'; undefined for body members. */
  binding?: string;
  member(name: string): View | undefined;
  item(): View | undefined;
  value(): View | undefined;
}

export function sdkView(schema: unknown): View {
  const ns = schema instanceof NormalizedSchema ? schema : NormalizedSchema.of(schema as never);
  const kind: Kind = ns.isStructSchema() || ns.isUnionSchema() ? 'structure'
    : ns.isListSchema() ? 'list'
      : ns.isMapSchema() ? 'map'
        : ns.isBlobSchema() ? 'blob'
          : ns.isTimestampSchema() ? 'timestamp'
            : ns.isStringSchema() ? 'string'
              : ns.isNumericSchema() || ns.isBigIntegerSchema() || ns.isBigDecimalSchema() ? 'number'
                : ns.isBooleanSchema() ? 'boolean'
                  : ns.isDocumentSchema() ? 'document' : 'other';
  let members: Map<string, NormalizedSchema> | undefined;
  const t = ns.getMergedTraits() as { httpHeader?: string; httpQuery?: string; httpLabel?: unknown; httpPrefixHeaders?: string };
  const binding = t.httpHeader !== undefined ? `header:${t.httpHeader.toLowerCase()}`
    : t.httpQuery !== undefined ? `query:${t.httpQuery}`
      : t.httpPrefixHeaders !== undefined ? `headers:${t.httpPrefixHeaders.toLowerCase()}`
        : t.httpLabel !== undefined ? `label:${ns.getMemberName?.() ?? ''}` : undefined;
  return {
    kind,
    binding,
    idempotencyToken: ns.isIdempotencyToken(),
    streaming: ns.isStreaming(),
    member(name) {
      if (kind !== 'structure') return undefined;
      members ??= new Map([...ns.structIterator()]);
      const m = members.get(name);
      return m ? sdkView(m) : undefined;
    },
    item: () => (kind === 'list' ? sdkView(ns.getValueSchema()) : undefined),
    value: () => (kind === 'map' ? sdkView(ns.getValueSchema()) : undefined),
  };
}

const KINDS: Record<string, Kind> = {
  structure: 'structure', list: 'list', map: 'map', blob: 'blob', timestamp: 'timestamp', string: 'string', character: 'string',
  boolean: 'boolean', integer: 'number', long: 'number', short: 'number', byte: 'number', float: 'number', double: 'number',
  bigdecimal: 'number', biginteger: 'number',
};

/** The same view over a botocore-format model (botocore's own service-2.json). */
export function modelView(model: ServiceModel, ref: Shape): View {
  const s = model.resolve(ref);
  const kind: Kind = s.document ? 'document' : KINDS[s.type ?? 'string'] ?? 'other';
  const where = s.location === 'uri' ? 'label' : s.location === 'querystring' ? 'query' : s.location;
  const name = s.location === 'querystring' || s.location === 'uri' ? s.locationName ?? '' : (s.locationName ?? '').toLowerCase();
  return {
    kind,
    binding: where && where !== 'statusCode' ? `${where}:${name}` : undefined,
    idempotencyToken: Boolean(s.idempotencyToken),
    streaming: Boolean(s.streaming),
    member: (name) => (s.members && Object.hasOwn(s.members, name) ? modelView(model, s.members[name]!) : undefined),
    item: () => (s.member ? modelView(model, s.member) : undefined),
    value: () => (s.value ? modelView(model, s.value) : undefined),
  };
}

function kindOfValue(v: unknown): Kind {
  if (Buffer.isBuffer(v) || v instanceof Uint8Array) return 'blob';
  if (v instanceof Date) return 'timestamp';
  if (Array.isArray(v)) return 'list';
  if (typeof v === 'string') return 'string';
  if (typeof v === 'number') return 'number';
  if (typeof v === 'boolean') return 'boolean';
  if (typeof v === 'object' && v !== null) return 'structure';
  return 'other';
}

export type SkewSink = (path: string, what: string) => void;

/** `value` without what `view` does not know; every drop is reported to `skew`. */
export function prune(
  value: unknown, view: View | undefined, skew: SkewSink, path = '',
  /** Response direction: numbers/booleans the client reads as strings become text. */
  coerce = false,
  /** Paths left out because of a type change: the caller drops them from the client's side too. */
  ignored?: string[],
  /** Top level only: cloudlet's HTTP binding of each member, to catch members the two models bind differently. */
  bindings?: (member: string) => string | undefined,
): unknown {
  if (!view) return value;
  const vk = kindOfValue(value);
  const compatible = vk === view.kind || (vk === 'structure' && view.kind === 'map') || view.kind === 'document';
  if (!compatible) {
    if (coerce && view.kind === 'string' && (vk === 'number' || vk === 'boolean')) {
      skew(path, `typed string by the client, ${vk} by cloudlet's model: compared as text`);
      return String(value);
    }
    skew(path, `typed ${view.kind} by the client, ${vk} by cloudlet's model`);
    ignored?.push(path);
    return undefined;
  }
  if (view.kind === 'structure') {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value as Record<string, unknown>)) {
      const m = view.member(k);
      const p = path ? `${path}.${k}` : k;
      if (!m) {
        skew(p, 'not in the client model');
        continue;
      }
      if (bindings && bindings(k) !== undefined && m.binding !== undefined && m.binding !== bindings(k)) {
        skew(p, `bound to ${bindings(k)} by cloudlet's model, ${m.binding} by the client`);
        ignored?.push(p);
        continue;
      }
      const pv = prune(v, m, skew, p, coerce, ignored);
      if (pv !== undefined) out[k] = pv;
    }
    return out;
  }
  if (view.kind === 'list') {
    const item = view.item();
    const out = (value as unknown[]).map((v, i) => prune(v, item, skew, `${path}[${i}]`, coerce, ignored));
    return out.some((v) => v === undefined) ? undefined : out;
  }
  if (view.kind === 'map') {
    const item = view.value();
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value as Record<string, unknown>)) {
      const pv = prune(v, item, skew, `${path}[${JSON.stringify(k)}]`, coerce, ignored);
      if (pv === undefined) return undefined;
      Object.defineProperty(out, k, { value: pv, enumerable: true, writable: true, configurable: true });
    }
    return out;
  }
  return value;
}

/** cloudlet's HTTP binding of each top-level member of `ref`, in View.binding's spelling. */
export function modelBindings(model: ServiceModel, ref: Shape | undefined): (member: string) => string | undefined {
  if (!ref) return () => undefined;
  const s = model.resolve(ref);
  return (member) => (s.members && Object.hasOwn(s.members, member) ? modelView(model, s.members[member]!).binding : undefined);
}

/** Top-level member names the view marks as idempotency tokens. */
export function tokenMembers(view: View | undefined, names: string[]): string[] {
  return view ? names.filter((n) => view.member(n)?.idempotencyToken) : [];
}
