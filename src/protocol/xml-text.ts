/**
 * Turns the builder-format tree of xml.ts (element name -> text | child object | repeated
 * array; attributes under '@_', text under '#text', '?xml' for the declaration) into text.
 * fast-xml-parser's builder does the same but tracks a path matcher per node and runs one
 * regex per entity per text node; on small responses that was the largest cost of a request.
 * Parsing stays with fast-xml-parser.
 */
const ESCAPES: Record<string, string> = {
  '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&apos;',
  // A raw CR would be folded into LF by every conforming parser, so it travels as a reference.
  '\r': '&#xD;',
};
const NEEDS_ESCAPE = /[&<>"'\r]/;
const ESCAPE_ALL = /[&<>"'\r]/g;

export function escapeXml(text: string): string {
  return NEEDS_ESCAPE.test(text) ? text.replace(ESCAPE_ALL, (c) => ESCAPES[c]!) : text;
}

type Node = string | { [name: string]: Node | Node[] | undefined };

function attributes(node: Record<string, unknown>): string {
  let out = '';
  for (const k in node) {
    if (k.startsWith('@_') && node[k] !== undefined) out += ` ${k.slice(2)}="${escapeXml(String(node[k]))}"`;
  }
  return out;
}

function element(name: string, node: Node | undefined, out: string[]): void {
  if (node === undefined) return;
  if (typeof node !== 'object') {
    out.push(`<${name}>${escapeXml(String(node))}</${name}>`);
    return;
  }
  out.push(`<${name}${attributes(node)}>`);
  for (const k in node) {
    if (k.startsWith('@_')) continue;
    const child = node[k];
    if (k === '#text') {
      if (child !== undefined) out.push(escapeXml(String(child)));
    } else if (Array.isArray(child)) {
      for (const item of child) element(k, item, out);
    } else {
      element(k, child, out);
    }
  }
  out.push(`</${name}>`);
}

/** The whole document; a '?xml' key becomes the declaration. */
export function writeXmlText(doc: Record<string, Node | Node[] | undefined>): string {
  const out: string[] = [];
  for (const k in doc) {
    const v = doc[k];
    if (k === '?xml' && v && typeof v === 'object' && !Array.isArray(v)) {
      out.push(`<?xml${attributes(v)}?>`);
    } else if (Array.isArray(v)) {
      for (const item of v) element(k, item, out);
    } else {
      element(k, v, out);
    }
  }
  return out.join('');
}
