import { writeXmlText } from './xml-text.js';
import type { ServiceModel } from './models.js';
import type { Shape } from './model-types.js';

/**
 * Shape-driven XML writing shared by the query, ec2 and rest-xml protocols. Values become a
 * tree in fast-xml-parser's builder format (element name -> text | child object | repeated
 * array, attributes under '@_'), written out by xml-text.ts.
 */

/** Element content: text, or an object of child elements / '@_' attributes / '#text'. */
export type XmlNode = string | XmlElement;
export interface XmlElement {
  [name: string]: XmlNode | XmlNode[] | undefined;
}

export interface XmlStyle {
  /**
   * EC2's dialect: lists are always wrapped (never flattened) and their items are named by
   * the list member's locationName, 'item' when the model gives none.
   */
  ec2?: boolean;
}

const ATTR = '@_';


export const isAbsent = (v: unknown): v is null | undefined => v === undefined || v === null;

/**
 * The element name a structure member is written under. A flattened list whose member has a
 * locationName uses that name for every repeated element (botocore's _member_key_name rule).
 */
export function xmlMemberName(model: ServiceModel, memberName: string, ref: Shape, style: XmlStyle = {}): string {
  const shape = model.resolve(ref);
  if (!style.ec2 && shape.flattened && shape.type === 'list' && shape.member?.locationName) {
    return shape.member.locationName;
  }
  return shape.locationName ?? memberName;
}

/** Accepts Date, ISO-8601 / RFC 822 strings, or epoch seconds. */
export function toDate(value: unknown): Date {
  let d: Date;
  if (value instanceof Date) d = value;
  else if (typeof value === 'number') d = new Date(value * 1000);
  else if (typeof value === 'string') d = /^-?\d+(\.\d+)?$/.test(value) ? new Date(Number(value) * 1000) : new Date(value);
  else d = new Date(NaN);
  if (Number.isNaN(d.getTime())) throw new TypeError(`not a timestamp: ${String(value)}`);
  return d;
}

export function formatTimestamp(value: unknown, format: Shape['timestampFormat'] = 'iso8601'): string {
  const d = toDate(value);
  switch (format) {
    case 'rfc822':
      return d.toUTCString();
    case 'unixTimestamp':
      return String(d.getTime() / 1000);
    default:
      return d.toISOString();
  }
}

/** Blob outputs may be given as Buffer / Uint8Array, or as a string meaning its UTF-8 bytes. */
export function blobToBase64(value: unknown): string {
  if (Buffer.isBuffer(value)) return value.toString('base64');
  if (value instanceof Uint8Array) return Buffer.from(value.buffer, value.byteOffset, value.byteLength).toString('base64');
  return Buffer.from(String(value), 'utf8').toString('base64');
}

/** The text of a scalar shape as the XML protocols write it. */
export function scalarText(shape: Shape, value: unknown): string {
  switch (shape.type) {
    case 'timestamp':
      return formatTimestamp(value, shape.timestampFormat);
    case 'blob':
      return blobToBase64(value);
    case 'boolean':
      return typeof value === 'string' ? value : value ? 'true' : 'false';
    default:
      return typeof value === 'object' ? JSON.stringify(value) : String(value);
  }
}

function namespaceAttrs(ns: Shape['xmlNamespace']): Record<string, string> {
  if (!ns) return {};
  if (typeof ns === 'string') return { [`${ATTR}xmlns`]: ns };
  if (!ns.uri) return {};
  return { [`${ATTR}${ns.prefix ? `xmlns:${ns.prefix}` : 'xmlns'}`]: ns.uri };
}

/** Adds a member's own xmlNamespace declaration to the element it becomes. */
function withNamespace(node: XmlNode, ns: Shape['xmlNamespace']): XmlNode {
  if (!ns) return node;
  const attrs = namespaceAttrs(ns);
  if (Object.keys(attrs).length === 0) return node;
  return typeof node === 'string' ? { '#text': node, ...attrs } : { ...attrs, ...node };
}

function listItems(model: ServiceModel, shape: Shape, value: unknown, style: XmlStyle): XmlNode[] {
  if (!Array.isArray(value)) throw new TypeError(`expected an array for a list, got ${typeof value}`);
  const member = model.resolve(shape.member!);
  const out: XmlNode[] = [];
  for (const item of value) {
    if (!isAbsent(item)) out.push(withNamespace(toXmlTree(model, member, item, style), member.xmlNamespace));
  }
  return out;
}

function mapEntries(model: ServiceModel, shape: Shape, value: unknown, style: XmlStyle): XmlElement[] {
  if (typeof value !== 'object' || value === null) throw new TypeError(`expected an object for a map, got ${typeof value}`);
  const keyShape = model.resolve(shape.key ?? { type: 'string' });
  const valueShape = model.resolve(shape.value!);
  const keyName = keyShape.locationName ?? 'key';
  const valueName = valueShape.locationName ?? 'value';
  const out: XmlElement[] = [];
  for (const [k, v] of Object.entries(value as Record<string, unknown>)) {
    if (isAbsent(v)) continue;
    out.push({ [keyName]: scalarText(keyShape, k), [valueName]: toXmlTree(model, valueShape, v, style) });
  }
  return out;
}

export interface MemberPlan {
  name: string;
  member: Shape;
  key: string;
  mode: 'attr' | 'flatList' | 'flatMap' | 'plain';
}

// A structure's members resolved once per shape and style: models are immutable data, and
// resolving every member of every item was most of the cost of a large Describe answer.
const plans = { ec2: new WeakMap<Shape, MemberPlan[]>(), plain: new WeakMap<Shape, MemberPlan[]>() };

export function planOf(model: ServiceModel, shape: Shape, style: XmlStyle): MemberPlan[] {
  const cache = style.ec2 ? plans.ec2 : plans.plain;
  let plan = cache.get(shape);
  if (plan) return plan;
  plan = Object.entries(shape.members ?? {}).map(([name, ref]): MemberPlan => {
    const member = model.resolve(ref);
    if (member.xmlAttribute) return { name, member, key: `${ATTR}${member.locationName ?? name}`, mode: 'attr' };
    const key = xmlMemberName(model, name, ref, style);
    const mode = member.flattened && !style.ec2 && member.type === 'list' ? 'flatList'
      : member.flattened && member.type === 'map' ? 'flatMap' : 'plain';
    return { name, member, key, mode };
  });
  cache.set(shape, plan);
  return plan;
}

function structureElement(model: ServiceModel, shape: Shape, value: unknown, style: XmlStyle): XmlElement {
  if (typeof value !== 'object' || value === null) throw new TypeError(`expected an object for a structure, got ${typeof value}`);
  const obj = value as Record<string, unknown>;
  const el: XmlElement = shape.xmlNamespace ? { ...namespaceAttrs(shape.xmlNamespace) } : {};
  for (const m of planOf(model, shape, style)) {
    const v = obj[m.name];
    if (isAbsent(v)) continue;
    switch (m.mode) {
      case 'attr': el[m.key] = scalarText(m.member, v); break;
      case 'flatList': el[m.key] = listItems(model, m.member, v, style); break;
      case 'flatMap': el[m.key] = mapEntries(model, m.member, v, style); break;
      default: el[m.key] = withNamespace(toXmlTree(model, m.member, v, style), m.member.xmlNamespace);
    }
  }
  return el;
}

/**
 * The content of the element a value of shape `ref` is written as (flattened members are the
 * enclosing structure's business). Structures keep model member order; absent members are
 * left out.
 */
export function toXmlTree(model: ServiceModel, ref: Shape, value: unknown, style: XmlStyle = {}): XmlNode {
  const shape = model.resolve(ref);
  switch (shape.type) {
    case 'structure':
      return structureElement(model, shape, value, style);
    case 'list': {
      const itemName = model.resolve(shape.member!).locationName ?? (style.ec2 ? 'item' : 'member');
      return { [itemName]: listItems(model, shape, value, style) };
    }
    case 'map':
      return { entry: mapEntries(model, shape, value, style) };
    default:
      return scalarText(shape, value);
  }
}

export interface RenderOptions {
  /** Default namespace declared on the root element. */
  namespace?: string;
  /** Prepend `<?xml version="1.0" encoding="UTF-8"?>`. */
  declaration?: boolean;
}

/** Serialises one root element around a tree made by toXmlTree (or by hand). */
export function renderXml(rootName: string, content: XmlNode, opts: RenderOptions = {}): string {
  let root: XmlNode = content;
  if (opts.namespace !== undefined) {
    root = typeof content === 'string'
      ? { '#text': content, [`${ATTR}xmlns`]: opts.namespace }
      : { [`${ATTR}xmlns`]: opts.namespace, ...content };
  }
  const doc: XmlElement = {};
  if (opts.declaration) doc['?xml'] = { [`${ATTR}version`]: '1.0', [`${ATTR}encoding`]: 'UTF-8' };
  doc[rootName] = root;
  // Characters no XML 1.0 document can carry become U+FFFD in escapeXml, text by text.
  return writeXmlText(doc);
}

/** A value of shape `ref` as a complete XML document rooted at `rootName`. */
export function writeXmlValue(
  model: ServiceModel,
  ref: Shape,
  value: unknown,
  rootName: string,
  opts: RenderOptions & XmlStyle = {},
): string {
  return renderXml(rootName, withNamespace(toXmlTree(model, ref, value, opts), model.resolve(ref).xmlNamespace), opts);
}
