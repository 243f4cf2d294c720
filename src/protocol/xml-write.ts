/**
 * Shape-driven XML written straight to text, without the intermediate tree of xml.ts: the
 * same elements, attributes and order as toXmlTree + renderXml (xml-write.test.ts checks the
 * two agree), at a fraction of the allocations, which is what a page of a thousand EC2
 * instances costs. Every text goes through escapeXml, which also replaces the characters XML
 * cannot carry, so no pass over the whole answer is needed. The tree functions stay for hand-made documents (errors, rest-xml roots).
 */
import type { ServiceModel } from './models.js';
import type { Shape } from './model-types.js';
import { escapeXml, writeXmlText } from './xml-text.js';
import { isAbsent, planOf, scalarText, toXmlTree, type MemberPlan, type XmlElement, type XmlStyle } from './xml.js';

/** Attributes as [name, value] pairs, in the order they are written. */
export type XmlAttrs = Array<[string, string]>;

export function namespacePairs(ns: Shape['xmlNamespace']): XmlAttrs {
  if (!ns) return [];
  if (typeof ns === 'string') return [['xmlns', ns]];
  if (!ns.uri) return [];
  return [[ns.prefix ? `xmlns:${ns.prefix}` : 'xmlns', ns.uri]];
}

/** Object-spread semantics ({...a, ...b}): first position, last value. */
export function mergeAttrs(a: XmlAttrs, b: XmlAttrs): XmlAttrs {
  if (!a.length) return b;
  if (!b.length) return a;
  const out = a.map((p): [string, string] => [p[0], p[1]]);
  for (const [k, v] of b) {
    const at = out.findIndex((p) => p[0] === k);
    if (at >= 0) out[at]![1] = v;
    else out.push([k, v]);
  }
  return out;
}

export function openTag(name: string, attrs: XmlAttrs): string {
  let out = `<${name}`;
  for (const [k, v] of attrs) out += ` ${k}="${escapeXml(v)}"`;
  return `${out}>`;
}

function items(model: ServiceModel, member: Shape, value: unknown, itemName: string, style: XmlStyle): string {
  if (!Array.isArray(value)) throw new TypeError(`expected an array for a list, got ${typeof value}`);
  const ns = namespacePairs(member.xmlNamespace);
  const out: string[] = [];
  for (const item of value) if (!isAbsent(item)) out.push(writeElement(model, member, item, itemName, style, ns));
  return out.join('');
}

function entries(model: ServiceModel, shape: Shape, value: unknown, entryName: string, style: XmlStyle): string {
  if (typeof value !== 'object' || value === null) throw new TypeError(`expected an object for a map, got ${typeof value}`);
  const keyShape = model.resolve(shape.key ?? { type: 'string' });
  const valueShape = model.resolve(shape.value!);
  const keyName = keyShape.locationName ?? 'key';
  const valueName = valueShape.locationName ?? 'value';
  const out: string[] = [];
  for (const [k, v] of Object.entries(value as Record<string, unknown>)) {
    if (isAbsent(v)) continue;
    out.push(`<${entryName}><${keyName}>${escapeXml(scalarText(keyShape, k))}</${keyName}>${writeElement(model, valueShape, v, valueName, style)}</${entryName}>`);
  }
  return out.join('');
}

// Plans where two members are written under one name (old S3 notification shapes: Event and
// Events): the tree keeps the last one at the first one's place; so does the fallback here.
const collides = new WeakMap<MemberPlan[], boolean>();
function collision(plan: MemberPlan[]): boolean {
  let c = collides.get(plan);
  if (c === undefined) collides.set(plan, (c = new Set(plan.map((m) => m.key)).size !== plan.length));
  return c;
}

function treeParts(model: ServiceModel, shape: Shape, value: unknown, style: XmlStyle): { attrs: XmlAttrs; content: string } {
  const el = toXmlTree(model, shape, value, style) as XmlElement;
  const attrs: XmlAttrs = [];
  const children: XmlElement = {};
  for (const [k, v] of Object.entries(el)) {
    if (k.startsWith('@_')) attrs.push([k.slice(2), String(v)]);
    else children[k] = v;
  }
  return { attrs, content: writeXmlText(children as Parameters<typeof writeXmlText>[0]) };
}

/** A structure's own attributes (namespace, xmlAttribute members) and its child elements. */
export function structureParts(model: ServiceModel, shape: Shape, value: unknown, style: XmlStyle): { attrs: XmlAttrs; content: string } {
  if (typeof value !== 'object' || value === null) throw new TypeError(`expected an object for a structure, got ${typeof value}`);
  const plan = planOf(model, shape, style);
  if (collision(plan)) return treeParts(model, shape, value, style);
  const obj = value as Record<string, unknown>;
  let attrs = namespacePairs(shape.xmlNamespace);
  // Parts joined once rather than appended (here, in items and in entries): appending builds a
  // rope of one node per piece, which stays alive until the whole answer is written; for a page
  // of a thousand instances (4 MB) the young-generation collections spent most of the request
  // copying those nodes, and Buffer.from then flattened them. A joined part is one flat string.
  const content: string[] = [];
  for (const m of plan) {
    const v = obj[m.name];
    if (isAbsent(v)) continue;
    switch (m.mode) {
      case 'attr': attrs = mergeAttrs(attrs, [[m.key.slice(2), scalarText(m.member, v)]]); break;
      case 'flatList': content.push(items(model, model.resolve(m.member.member!), v, m.key, style)); break;
      case 'flatMap': content.push(entries(model, m.member, v, m.key, style)); break;
      default: content.push(writeElement(model, m.member, v, m.key, style, namespacePairs(m.member.xmlNamespace)));
    }
  }
  return { attrs, content: content.join('') };
}

/** `<name>` holding a value of the (resolved) shape; `outer` attributes come first. */
export function writeElement(model: ServiceModel, shape: Shape, value: unknown, name: string, style: XmlStyle, outer: XmlAttrs = []): string {
  switch (shape.type) {
    case 'structure': {
      const { attrs, content } = structureParts(model, shape, value, style);
      return `${openTag(name, mergeAttrs(outer, attrs))}${content}</${name}>`;
    }
    case 'list': {
      const member = model.resolve(shape.member!);
      return `${openTag(name, outer)}${items(model, member, value, member.locationName ?? (style.ec2 ? 'item' : 'member'), style)}</${name}>`;
    }
    case 'map':
      return `${openTag(name, outer)}${entries(model, shape, value, 'entry', style)}</${name}>`;
    default:
      return `${openTag(name, outer)}${escapeXml(scalarText(shape, value))}</${name}>`;
  }
}

export const XML_DECLARATION = '<?xml version="1.0" encoding="UTF-8"?>';
