import type { ServiceModel } from './models.js';
import type { Shape } from './model-types.js';
import { renderXml, scalarText, type XmlElement } from './xml.js';
import { mergeAttrs, namespacePairs, writeElement } from './xml-write.js';

/** `value` as shape `ref` under `rootName`, the default namespace first unless the shape states its own. */
function writeRoot(model: ServiceModel, ref: Shape, value: unknown, rootName: string, namespace: string | undefined): string {
  const shape = model.resolve(ref);
  const outer = mergeAttrs(namespace !== undefined ? [['xmlns', namespace]] : [], namespacePairs(shape.xmlNamespace));
  return writeElement(model, shape, value, rootName, {}, outer);
}

/**
 * rest-xml documents on top of the shared shape-driven writer in xml.ts. What is particular
 * to rest-xml: members bound to headers / status stay out of the body, the declaration is on
 * its own line (as S3 sends it), and a root that holds a single scalar holds it as text.
 */

const DECLARATION = '<?xml version="1.0" encoding="UTF-8"?>\n';

/** The members that belong in the body: everything without an HTTP `location`. */
function bodyOnly(model: ServiceModel, shape: Shape, value: unknown): Record<string, unknown> {
  const obj = (value ?? {}) as Record<string, unknown>;
  const out: Record<string, unknown> = {};
  for (const [name, ref] of Object.entries(shape.members ?? {})) {
    if (obj[name] !== undefined && !model.resolve(ref).location) out[name] = obj[name];
  }
  return out;
}

/**
 * The single body member whose element name is the root's own, when that is a scalar: AWS
 * then sends the value as the root's text (S3 GetBucketLocation:
 * `<LocationConstraint>eu-west-1</LocationConstraint>`).
 */
function rootTextMember(model: ServiceModel, shape: Shape, rootName: string): [string, Shape] | undefined {
  const body = Object.entries(shape.members ?? {}).filter(([, ref]) => !model.resolve(ref).location);
  if (body.length !== 1) return undefined;
  const [name, ref] = body[0]!;
  const m = model.resolve(ref);
  if (m.type === 'structure' || m.type === 'list' || m.type === 'map' || m.xmlAttribute) return undefined;
  return (m.locationName ?? name) === rootName ? [name, m] : undefined;
}

/**
 * A whole document whose root element is `rootName` holding `value` as shape `ref`.
 * `namespace` is the default namespace put on the root unless the shape states its own.
 */
export function writeXmlDocument(model: ServiceModel, rootName: string, ref: Shape, value: unknown, namespace?: string): string {
  const shape = model.resolve(ref);
  if (shape.type !== 'structure') return DECLARATION + writeRoot(model, ref, value, rootName, namespace);
  const asText = rootTextMember(model, shape, rootName);
  if (asText) {
    const v = (value as Record<string, unknown> | undefined)?.[asText[0]];
    return DECLARATION + renderXml(rootName, v === undefined || v === null ? '' : scalarText(asText[1], v), { namespace });
  }
  return DECLARATION + writeRoot(model, ref, bodyOnly(model, shape, value), rootName, namespace);
}

/** A flat document of text elements, in order (the shape of every rest-xml error). */
export function writeFlatDocument(rootName: string, entries: Array<[string, string]>): string {
  const content: XmlElement = {};
  for (const [k, v] of entries) content[k] = v;
  return DECLARATION + renderXml(rootName, content);
}

/** <ErrorResponse><Error>entries</Error><RequestId/><HostId/></ErrorResponse>: wrapped rest-xml errors (S3 Control). */
export function writeWrappedErrorDocument(entries: Array<[string, string]>, requestId: string, hostId: string): string {
  const inner: XmlElement = {};
  for (const [k, v] of entries) inner[k] = v;
  return DECLARATION + renderXml('ErrorResponse', { Error: inner, RequestId: requestId, HostId: hostId });
}
