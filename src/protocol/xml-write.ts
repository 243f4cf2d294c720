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

/**
 * Where the text goes while it is written: pieces are kept in a short list and joined into one
 * flat string every few thousand. Why: appending piece to piece builds a rope of one node per
 * piece, alive until the whole answer is written: for a 1000-instance DescribeInstances (4 MB)
 * the young-generation collections spent most of the request copying those nodes, and
 * Buffer.from flattened them again at the end. Joining per structure instead copied every byte
 * once per nesting level. Here each byte is copied once into its chunk and once at the end.
 */
class TextSink {
  private parts: string[] = [];
  private readonly chunks: string[] = [];

  push(text: string): void {
    this.parts.push(text);
    if (this.parts.length >= 4096) {
      this.chunks.push(this.parts.join(''));
      this.parts = [];
    }
  }

  text(): string {
    if (this.parts.length) this.chunks.push(this.parts.join(''));
    this.parts = [];
    return this.chunks.length === 1 ? this.chunks[0]! : this.chunks.join('');
  }
}

function writeItems(sink: TextSink, model: ServiceModel, member: Shape, value: unknown, itemName: string, style: XmlStyle): void {
  if (!Array.isArray(value)) throw new TypeError(`expected an array for a list, got ${typeof value}`);
  const ns = namespacePairs(member.xmlNamespace);
  for (const item of value) if (!isAbsent(item)) writeInto(sink, model, member, item, itemName, style, ns);
}

function writeEntries(sink: TextSink, model: ServiceModel, shape: Shape, value: unknown, entryName: string, style: XmlStyle): void {
  if (typeof value !== 'object' || value === null) throw new TypeError(`expected an object for a map, got ${typeof value}`);
  const keyShape = model.resolve(shape.key ?? { type: 'string' });
  const valueShape = model.resolve(shape.value!);
  const keyName = keyShape.locationName ?? 'key';
  const valueName = valueShape.locationName ?? 'value';
  for (const [k, v] of Object.entries(value as Record<string, unknown>)) {
    if (isAbsent(v)) continue;
    sink.push(`<${entryName}><${keyName}>${escapeXml(scalarText(keyShape, k))}</${keyName}>`);
    writeInto(sink, model, valueShape, v, valueName, style);
    sink.push(`</${entryName}>`);
  }
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

/** The plan of a structure value, or undefined when it needs the tree writer (a name collision). */
function structurePlan(model: ServiceModel, shape: Shape, value: unknown, style: XmlStyle): MemberPlan[] | undefined {
  if (typeof value !== 'object' || value === null) throw new TypeError(`expected an object for a structure, got ${typeof value}`);
  const plan = planOf(model, shape, style);
  return collision(plan) ? undefined : plan;
}

/** The namespace and xmlAttribute members of a structure, in member order (written before its children). */
function structureAttrs(shape: Shape, plan: MemberPlan[], obj: Record<string, unknown>): XmlAttrs {
  let attrs = namespacePairs(shape.xmlNamespace);
  for (const m of plan) {
    if (m.mode !== 'attr') continue;
    const v = obj[m.name];
    if (!isAbsent(v)) attrs = mergeAttrs(attrs, [[m.key.slice(2), scalarText(m.member, v)]]);
  }
  return attrs;
}

function writeChildren(sink: TextSink, model: ServiceModel, plan: MemberPlan[], obj: Record<string, unknown>, style: XmlStyle): void {
  for (const m of plan) {
    if (m.mode === 'attr') continue;
    const v = obj[m.name];
    if (isAbsent(v)) continue;
    switch (m.mode) {
      case 'flatList': writeItems(sink, model, model.resolve(m.member.member!), v, m.key, style); break;
      case 'flatMap': writeEntries(sink, model, m.member, v, m.key, style); break;
      default: writeInto(sink, model, m.member, v, m.key, style, namespacePairs(m.member.xmlNamespace));
    }
  }
}

/** A structure's own attributes (namespace, xmlAttribute members) and its child elements. */
export function structureParts(model: ServiceModel, shape: Shape, value: unknown, style: XmlStyle): { attrs: XmlAttrs; content: string } {
  const plan = structurePlan(model, shape, value, style);
  if (!plan) return treeParts(model, shape, value, style);
  const obj = value as Record<string, unknown>;
  const attrs = structureAttrs(shape, plan, obj);
  const sink = new TextSink();
  writeChildren(sink, model, plan, obj, style);
  return { attrs, content: sink.text() };
}

function writeInto(sink: TextSink, model: ServiceModel, shape: Shape, value: unknown, name: string, style: XmlStyle, outer: XmlAttrs = []): void {
  switch (shape.type) {
    case 'structure': {
      const plan = structurePlan(model, shape, value, style);
      if (!plan) {
        const { attrs, content } = treeParts(model, shape, value, style);
        sink.push(`${openTag(name, mergeAttrs(outer, attrs))}${content}</${name}>`);
        return;
      }
      const obj = value as Record<string, unknown>;
      sink.push(openTag(name, mergeAttrs(outer, structureAttrs(shape, plan, obj))));
      writeChildren(sink, model, plan, obj, style);
      sink.push(`</${name}>`);
      return;
    }
    case 'list': {
      const member = model.resolve(shape.member!);
      sink.push(openTag(name, outer));
      writeItems(sink, model, member, value, member.locationName ?? (style.ec2 ? 'item' : 'member'), style);
      sink.push(`</${name}>`);
      return;
    }
    case 'map':
      sink.push(openTag(name, outer));
      writeEntries(sink, model, shape, value, 'entry', style);
      sink.push(`</${name}>`);
      return;
    default:
      sink.push(`${openTag(name, outer)}${escapeXml(scalarText(shape, value))}</${name}>`);
  }
}

/** `<name>` holding a value of the (resolved) shape; `outer` attributes come first. */
export function writeElement(model: ServiceModel, shape: Shape, value: unknown, name: string, style: XmlStyle, outer: XmlAttrs = []): string {
  const sink = new TextSink();
  writeInto(sink, model, shape, value, name, style, outer);
  return sink.text();
}

export const XML_DECLARATION = '<?xml version="1.0" encoding="UTF-8"?>';
