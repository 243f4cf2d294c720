import { AwsError } from '../core/errors.js';
import type { ServiceModel } from './models.js';
import type { Operation } from './model-types.js';

/**
 * Routing for the REST protocols: every operation's `http.requestUri` is a template
 * ("/{Bucket}/{Key+}?uploads"), and a request names the operation whose template fits it
 * best. Shared by parseInput, which needs the label values the match captured.
 */

export interface UriTemplate {
  operation: string;
  method: string;
  regex: RegExp;
  /** Label names in capture-group order. */
  labels: string[];
  /** Query keys the template requires, with the value it requires when it states one. */
  queryLiterals: Array<[string, string | undefined]>;
  /** The `x-id=` the template carries; clients may leave it out, so it never excludes. */
  xId?: string;
  /** Literal characters in the path part: the more, the more specific. */
  literalPathChars: number;
  /** Wire names of required querystring / header members: their presence tells overlapping templates apart. */
  requiredQuery: string[];
  requiredHeaders: string[];
  deprecated: boolean;
  order: number;
}

export type QueryParams = Map<string, string[]>;

/** Decodes a query string the way S3 does: `+` is a space, repeated keys collect. */
export function parseQuery(query: string): QueryParams {
  const out: QueryParams = new Map();
  if (!query) return out;
  for (const part of query.split('&')) {
    if (!part) continue;
    const eq = part.indexOf('=');
    const k = decodeQueryComponent(eq < 0 ? part : part.slice(0, eq));
    const v = eq < 0 ? '' : decodeQueryComponent(part.slice(eq + 1));
    const list = out.get(k);
    if (list) list.push(v);
    else out.set(k, [v]);
  }
  return out;
}

function decodeQueryComponent(s: string): string {
  const spaced = s.replace(/\+/g, ' ');
  try {
    return decodeURIComponent(spaced);
  } catch {
    return spaced;
  }
}

const escapeRe = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

export function compileTemplate(model: ServiceModel, name: string, op: Operation, order: number): UriTemplate {
  // The .min models leave out the defaults: POST and "/".
  const uri = op.http?.requestUri ?? '/';
  const method = (op.http?.method ?? 'POST').toUpperCase();
  const q = uri.indexOf('?');
  const pathPart = q < 0 ? uri : uri.slice(0, q);
  const queryPart = q < 0 ? '' : uri.slice(q + 1);

  let src = '^';
  let literalPathChars = 0;
  const labels: string[] = [];
  let last = 0;
  let endsGreedy = false;
  for (const m of pathPart.matchAll(/\{([^}+]+)(\+)?\}/g)) {
    const lit = pathPart.slice(last, m.index);
    src += escapeRe(lit);
    literalPathChars += lit.replace(/\//g, '').length;
    labels.push(m[1]!);
    src += m[2] ? '(.+)' : '([^/]+)';
    last = m.index! + m[0].length;
    endsGreedy = Boolean(m[2]) && last === pathPart.length;
  }
  const tail = pathPart.slice(last);
  src += escapeRe(tail);
  literalPathChars += tail.replace(/\//g, '').length;
  // "/bucket/" addresses the bucket, not an empty key; a greedy tail already takes the slash.
  if (!endsGreedy && pathPart !== '/' && !pathPart.endsWith('/')) src += '/?';
  src += '$';

  const queryLiterals: Array<[string, string | undefined]> = [];
  let xId: string | undefined;
  for (const part of queryPart.split('&')) {
    if (!part) continue;
    const eq = part.indexOf('=');
    const k = eq < 0 ? part : part.slice(0, eq);
    const v = eq < 0 ? undefined : part.slice(eq + 1);
    if (k === 'x-id') xId = v;
    else queryLiterals.push([k, v]);
  }

  const requiredQuery: string[] = [];
  const requiredHeaders: string[] = [];
  if (op.input) {
    const input = model.resolve(op.input);
    for (const req of input.required ?? []) {
      const ref = input.members?.[req];
      if (!ref) continue;
      const m = model.resolve(ref);
      if (m.location === 'querystring') requiredQuery.push(m.locationName ?? req);
      else if (m.location === 'header') requiredHeaders.push((m.locationName ?? req).toLowerCase());
    }
  }
  return {
    operation: name, method, regex: new RegExp(src), labels, queryLiterals, xId, literalPathChars,
    requiredQuery, requiredHeaders, deprecated: Boolean(op.deprecated), order,
  };
}

const compiled = new WeakMap<ServiceModel, UriTemplate[]>();

export function templates(model: ServiceModel): UriTemplate[] {
  let list = compiled.get(model);
  if (!list) {
    list = model.operationNames.map((n, i) => compileTemplate(model, n, model.operation(n)!, i));
    compiled.set(model, list);
  }
  return list;
}

export function templateFor(model: ServiceModel, operation: string): UriTemplate | undefined {
  return templates(model).find((t) => t.operation === operation);
}

function queryLiteralsMatch(t: UriTemplate, query: QueryParams): boolean {
  return t.queryLiterals.every(([k, v]) => {
    const got = query.get(k);
    return got !== undefined && (v === undefined || got.includes(v));
  });
}

interface Ranked { t: UriTemplate; key: number[] }

/**
 * Picks the operation for a request. Templates overlap heavily in S3 (PutObject, CopyObject,
 * UploadPart and UploadPartCopy share `PUT /{Bucket}/{Key+}`), so among the templates that
 * fit, the order is: most required query literals, then all required query/header members
 * present, then most of them present, then most literal path, then the client's `x-id`
 * hint, then not deprecated, then model order.
 */
export function matchOperation(
  model: ServiceModel, method: string, path: string, query: QueryParams, headers: Record<string, string>,
): UriTemplate {
  const m = method.toUpperCase();
  const xId = query.get('x-id')?.[0];
  const all = templates(model);
  const ranked: Ranked[] = [];
  for (const t of all) {
    if (t.method !== m || !t.regex.test(path) || !queryLiteralsMatch(t, query)) continue;
    const present = t.requiredQuery.filter((k) => query.has(k)).length
      + t.requiredHeaders.filter((h) => headers[h] !== undefined).length;
    const complete = present === t.requiredQuery.length + t.requiredHeaders.length ? 1 : 0;
    ranked.push({
      t,
      key: [t.queryLiterals.length, complete, present, t.literalPathChars,
        xId !== undefined && xId === t.operation ? 1 : 0, t.deprecated ? 0 : 1, -t.order],
    });
  }
  if (ranked.length > 0) {
    ranked.sort((a, b) => {
      for (let i = 0; i < a.key.length; i++) if (a.key[i] !== b.key[i]) return b.key[i]! - a.key[i]!;
      return 0;
    });
    return ranked[0]!.t;
  }
  if (all.some((t) => t.regex.test(path))) {
    throw new AwsError('MethodNotAllowed', 'The specified method is not allowed against this resource.', 405, {
      fields: { Method: m },
      headers: { allow: [...new Set(all.filter((t) => t.regex.test(path)).map((t) => t.method))].join(', ') },
    });
  }
  throw new AwsError('InvalidRequest', `No operation matches ${m} ${path}`, 400);
}

/** The label values a template captured, percent-decoded. */
export function labelValues(t: UriTemplate, path: string): Record<string, string> {
  const m = t.regex.exec(path);
  const out: Record<string, string> = {};
  if (!m) return out;
  t.labels.forEach((name, i) => {
    try {
      out[name] = decodeURIComponent(m[i + 1]!);
    } catch {
      throw new AwsError('InvalidURI', "Couldn't parse the specified URI.", 400);
    }
  });
  return out;
}
