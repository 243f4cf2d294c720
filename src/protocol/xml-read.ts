import { createRequire } from 'node:module';
import type { XMLParser, XMLValidator } from 'fast-xml-parser';
import { AwsError } from '../core/errors.js';
import type { ServiceModel } from './models.js';
import type { Shape } from './model-types.js';
import { parseScalar } from './rest-values.js';
import { xmlMemberName } from './xml.js';

/**
 * XML -> typed values, driven by the shape: the document alone cannot say whether
 * `<Days>3</Days>` is a number or whether one `<Tag>` is a list of one.
 */

export interface XmlNode {
  name: string;
  attrs: Record<string, string>;
  children: XmlNode[];
  /** Concatenated character data directly inside the element, untrimmed. */
  text: string;
}

/** The document does not parse, or does not fit the shape. */
export class XmlReadError extends Error {}

// Loaded on the first XML body (S3 mostly), not at start-up: its ESM build is ~30 files;
// the package's single-file CommonJS build is loaded instead.
let fxp: { parser: XMLParser; validator: typeof XMLValidator } | undefined;
function xmlParser(): { parser: XMLParser; validator: typeof XMLValidator } {
  if (fxp) return fxp;
  const lib = createRequire(import.meta.url)('fast-xml-parser') as typeof import('fast-xml-parser');
  fxp = { parser: new lib.XMLParser(PARSER_OPTIONS), validator: lib.XMLValidator };
  return fxp;
}

// preserveOrder keeps repeated and mixed elements apart, and values stay strings: the
// shape, not the parser, decides what "007" or "true" means.
const PARSER_OPTIONS = {
  preserveOrder: true,
  ignoreAttributes: false,
  attributeNamePrefix: '',
  parseTagValue: false,
  parseAttributeValue: false,
  trimValues: false,
  processEntities: true,
  htmlEntities: true,
  ignoreDeclaration: true,
  ignorePiTags: true,
};

type OrderedItem = Record<string, unknown>;

function toNodes(items: OrderedItem[]): { nodes: XmlNode[]; text: string } {
  const nodes: XmlNode[] = [];
  let text = '';
  for (const item of items) {
    for (const [key, val] of Object.entries(item)) {
      if (key === ':@') continue;
      if (key === '#text') {
        text += String(val);
        continue;
      }
      if (key.startsWith('?') || key.startsWith('!')) continue;
      const inner = toNodes(Array.isArray(val) ? (val as OrderedItem[]) : []);
      const rawAttrs = (item[':@'] ?? {}) as Record<string, unknown>;
      const attrs: Record<string, string> = {};
      for (const [k, v] of Object.entries(rawAttrs)) attrs[k] = String(v);
      nodes.push({ name: key, attrs, children: inner.nodes, text: inner.text });
    }
  }
  return { nodes, text };
}

/**
 * What one request document may hold. The parser costs about 8 us per element, and more than
 * linear time in the length of one text or attribute value: a 12 MB body of 900,000 elements
 * held the event loop for 10 s, 12 MB of text in one element 9 s. The largest real bodies (S3
 * CompleteMultipartUpload with 10,000 parts and checksums, about 1.7 MB; DeleteObjects with
 * 1,000 keys) stay below. A longer document is S3's MaxMessageLengthExceeded.
 */
export const XML_LIMITS = { elements: 60_000, attributes: 10_000, entities: 100_000, chars: 2 * 1024 * 1024 };

/** Counts start tags, attributes and entity references in one linear pass; throws past XML_LIMITS. */
function checkXmlSize(xml: string): void {
  if (xml.length > XML_LIMITS.chars) throw new AwsError('MaxMessageLengthExceeded', 'Your request was too big.', 400);
  let elements = 0;
  let attributes = 0;
  let entities = 0;
  let inTag = false;
  let quote = 0;
  for (let i = 0; i < xml.length; i++) {
    const c = xml.charCodeAt(i);
    if (quote) {
      if (c === quote) quote = 0;
      else if (c === 0x26) entities++;
    } else if (inTag) {
      if (c === 0x3e) inTag = false;
      else if (c === 0x22 || c === 0x27) quote = c;
      else if (c === 0x3d) attributes++;
    } else if (c === 0x3c) {
      const next = xml.charCodeAt(i + 1);
      // Closing tags, comments, CDATA and processing instructions are not elements.
      if (next !== 0x2f && next !== 0x21 && next !== 0x3f) {
        elements++;
        inTag = true;
      }
    } else if (c === 0x26) entities++;
    if (elements > XML_LIMITS.elements) throw new XmlReadError(`the document has more than ${XML_LIMITS.elements} elements`);
    if (attributes > XML_LIMITS.attributes) throw new XmlReadError(`the document has more than ${XML_LIMITS.attributes} attributes`);
    if (entities > XML_LIMITS.entities) throw new XmlReadError(`the document has more than ${XML_LIMITS.entities} entity references`);
  }
}

/**
 * Parses a whole document to its root element. DTDs (and so entity definitions and their
 * expansion) are refused: no client needs one. Size is bounded by checkXmlSize, nesting by
 * the parser's maxNestedTags (100).
 */
export function parseXmlDocument(xml: string): XmlNode {
  if (/<!DOCTYPE/i.test(xml)) throw new XmlReadError('DOCTYPE is not allowed');
  checkXmlSize(xml);
  const { parser, validator } = xmlParser();
  const ok = validator.validate(xml);
  if (ok !== true) throw new XmlReadError(ok.err.msg);
  let items: OrderedItem[];
  try {
    items = parser.parse(xml) as OrderedItem[];
  } catch (e) {
    // The parser refuses some documents the validator lets through (an unclosed <?xml ...?>).
    throw new XmlReadError((e as Error).message);
  }
  const { nodes, text } = toNodes(items);
  if (nodes.length !== 1 || text.trim() !== '') throw new XmlReadError('expected exactly one root element');
  return nodes[0]!;
}

export const localName = (name: string) => name.slice(name.indexOf(':') + 1);

const childrenNamed = (node: XmlNode, name: string) => {
  const want = localName(name);
  return node.children.filter((c) => localName(c.name) === want);
};

/** Decodes one element against its shape. */
export function readXmlValue(model: ServiceModel, ref: Shape, node: XmlNode): unknown {
  const shape = model.resolve(ref);
  switch (shape.type) {
    case 'structure':
      return readStructure(model, shape, node);
    case 'list': {
      const item = model.resolve(shape.member!);
      return childrenNamed(node, item.locationName ?? 'member').map((c) => readXmlValue(model, shape.member!, c));
    }
    case 'map':
      return readMapEntries(model, shape, childrenNamed(node, 'entry'));
    default:
      return scalar(shape, node.text, node.name);
  }
}

function scalar(shape: Shape, text: string, where: string): unknown {
  try {
    return parseScalar(shape, text);
  } catch (e) {
    throw new XmlReadError(`${where}: ${(e as Error).message}`);
  }
}

function readMapEntries(model: ServiceModel, shape: Shape, entries: XmlNode[]): Record<string, unknown> {
  const keyName = model.resolve(shape.key!).locationName ?? 'key';
  const valueName = model.resolve(shape.value!).locationName ?? 'value';
  const out: Record<string, unknown> = {};
  for (const entry of entries) {
    const k = childrenNamed(entry, keyName)[0];
    const v = childrenNamed(entry, valueName)[0];
    // defineProperty: a key of '__proto__' is data, not the object's prototype.
    if (k && v) Object.defineProperty(out, k.text, { value: readXmlValue(model, shape.value!, v), enumerable: true, writable: true, configurable: true });
  }
  return out;
}

/** Members that live outside the body (headers, labels, ...) are the caller's business. */
export function readStructure(model: ServiceModel, shape: Shape, node: XmlNode): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [name, ref] of Object.entries(shape.members ?? {})) {
    const m = model.resolve(ref);
    if (m.location) continue;
    if (m.xmlAttribute) {
      const want = localName(m.locationName ?? name);
      const hit = Object.entries(node.attrs).find(([k]) => k === (m.locationName ?? name) || localName(k) === want);
      if (hit) out[name] = scalar(m, hit[1], hit[0]);
      continue;
    }
    const xmlName = xmlMemberName(model, name, ref);
    if (m.flattened && m.type === 'list') {
      const items = childrenNamed(node, xmlName);
      if (items.length > 0) out[name] = items.map((c) => readXmlValue(model, m.member!, c));
      continue;
    }
    if (m.flattened && m.type === 'map') {
      const entries = childrenNamed(node, xmlName);
      if (entries.length > 0) out[name] = readMapEntries(model, m, entries);
      continue;
    }
    const child = childrenNamed(node, xmlName)[0];
    if (child) out[name] = readXmlValue(model, ref, child);
  }
  return out;
}
