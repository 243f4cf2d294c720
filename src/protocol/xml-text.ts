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
// Characters no XML 1.0 document can carry, not even as references (a NUL in an echoed
// request value, a control character stored through a JSON API), become U+FFFD here, per text,
// so a whole answer never needs a second pass.
const NEEDS_ESCAPE = /[&<>"'\r\u0000-\u0008\u000b\u000c\u000e-\u001f\ufffe\uffff]/;
const ESCAPE_ALL = /[&<>"'\r\u0000-\u0008\u000b\u000c\u000e-\u001f\ufffe\uffff]/g;

export function escapeXml(text: string): string {
  return NEEDS_ESCAPE.test(text) ? text.replace(ESCAPE_ALL, (c) => ESCAPES[c] ?? '\ufffd') : text;
}

type Node = string | { [name: string]: Node | Node[] | undefined };

function attributes(node: Record<string, unknown>): string {
  let out = '';
  for (const k in node) {
    if (k.startsWith('@_') && node[k] !== undefined) out += ` ${k.slice(2)}="${escapeXml(String(node[k]))}"`;
  }
  return out;
}

// Text is appended to one string: V8 keeps the pieces as a rope and flattens once, which was
// several times faster than an array of parts joined at the end on multi-megabyte answers.
function element(name: string, node: Node | undefined): string {
  if (node === undefined) return '';
  if (typeof node !== 'object') return `<${name}>${escapeXml(String(node))}</${name}>`;
  let out = `<${name}${attributes(node)}>`;
  for (const k in node) {
    if (k.charCodeAt(0) === 64 && k.charCodeAt(1) === 95) continue; // '@_'
    const child = node[k];
    if (k === '#text') {
      if (child !== undefined) out += escapeXml(String(child));
    } else if (Array.isArray(child)) {
      for (const item of child) out += element(k, item);
    } else {
      out += element(k, child);
    }
  }
  return `${out}</${name}>`;
}

/** The whole document; a '?xml' key becomes the declaration. */
export function writeXmlText(doc: Record<string, Node | Node[] | undefined>): string {
  let out = '';
  for (const k in doc) {
    const v = doc[k];
    if (k === '?xml' && v && typeof v === 'object' && !Array.isArray(v)) {
      out += `<?xml${attributes(v)}?>`;
    } else if (Array.isArray(v)) {
      for (const item of v) out += element(k, item);
    } else {
      out += element(k, v);
    }
  }
  return out;
}
