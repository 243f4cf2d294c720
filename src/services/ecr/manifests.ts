/**
 * Image manifests as ECR and the distribution registry accept them: Docker v2 schema 2, Docker
 * manifest lists, OCI image manifests and OCI image indexes. Schema 1 manifests are refused (ECR
 * no longer takes them). Parsing is pure: no store, no I/O; images.ts checks what the manifest
 * refers to. A refusal is a ManifestError with the reason in ECR's words; the API reports it as
 * InvalidParameterException, the registry as MANIFEST_INVALID (or MANIFEST_UNSUPPORTED).
 */
import { createHash } from 'node:crypto';

export const DOCKER_MANIFEST = 'application/vnd.docker.distribution.manifest.v2+json';
export const DOCKER_LIST = 'application/vnd.docker.distribution.manifest.list.v2+json';
export const OCI_MANIFEST = 'application/vnd.oci.image.manifest.v1+json';
export const OCI_INDEX = 'application/vnd.oci.image.index.v1+json';
export const DOCKER_SCHEMA1 = 'application/vnd.docker.distribution.manifest.v1+json';
export const DOCKER_SCHEMA1_SIGNED = 'application/vnd.docker.distribution.manifest.v1+prettyjws';
export const DOCKER_CONFIG = 'application/vnd.docker.container.image.v1+json';
export const OCI_CONFIG = 'application/vnd.oci.image.config.v1+json';

/** The manifest media types stored; the order ECR lists them in. */
export const MANIFEST_TYPES: readonly string[] = [DOCKER_MANIFEST, DOCKER_LIST, OCI_MANIFEST, OCI_INDEX];
const INDEX_TYPES = new Set([DOCKER_LIST, OCI_INDEX]);
const SCHEMA1_TYPES = new Set([DOCKER_SCHEMA1, DOCKER_SCHEMA1_SIGNED]);
/** Layers clients fetch from elsewhere (`urls`): the registry need not hold them. */
const FOREIGN_LAYER_TYPES = new Set([
  'application/vnd.docker.image.rootfs.foreign.diff.tar.gzip',
  'application/vnd.oci.image.layer.nondistributable.v1.tar',
  'application/vnd.oci.image.layer.nondistributable.v1.tar+gzip',
  'application/vnd.oci.image.layer.nondistributable.v1.tar+zstd',
]);

/** ECR's limit on a manifest (PutImage and the registry alike). */
export const MAX_MANIFEST_BYTES = 4 * 1024 * 1024;

export const SHA256_DIGEST_RE = /^sha256:[0-9a-f]{64}$/;
/** The OCI digest grammar (algorithm:encoded), for telling "malformed" from "unsupported algorithm". */
const DIGEST_GRAMMAR_RE = /^[a-z0-9]+(?:[+._-][a-z0-9]+)*:[a-zA-Z0-9=_-]+$/;
const MEDIA_TYPE_RE = /^[A-Za-z0-9][A-Za-z0-9!#$&^_.+-]{0,126}\/[A-Za-z0-9][A-Za-z0-9!#$&^_.+-]{0,126}$/;

export interface Platform {
  architecture?: string;
  os?: string;
  variant?: string;
}

export interface Descriptor {
  mediaType: string;
  digest: string;
  size: number;
  urls?: string[];
  platform?: Platform;
  artifactType?: string;
  annotations?: Record<string, string>;
}

export interface ParsedManifest {
  mediaType: string;
  kind: 'manifest' | 'index';
  /** Image manifests: the config descriptor. */
  config?: Descriptor;
  /** Image manifests: the layers, in order. */
  layers: Descriptor[];
  /** Indexes: the child manifests. */
  manifests: Descriptor[];
  subject?: Descriptor;
  artifactType?: string;
  annotations?: Record<string, string>;
}

export class ManifestError extends Error {
  /** 'invalid': not a manifest we can read; 'unsupported': a kind ECR does not take (schema 1, unknown media type). */
  readonly kind: 'invalid' | 'unsupported';
  constructor(message: string, kind: 'invalid' | 'unsupported' = 'invalid') {
    super(message);
    this.name = 'ManifestError';
    this.kind = kind;
  }
}

export function isIndexType(mediaType: string): boolean {
  return INDEX_TYPES.has(mediaType);
}

export function isForeignLayer(d: Descriptor): boolean {
  return FOREIGN_LAYER_TYPES.has(d.mediaType) && (d.urls?.length ?? 0) > 0;
}

export function sha256Digest(bytes: Buffer): string {
  return `sha256:${createHash('sha256').update(bytes).digest('hex')}`;
}

const utf8 = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });

/** The manifest as text, refusing bytes that are not UTF-8 (the stored form is the text). */
export function manifestText(bytes: Buffer): string {
  if (bytes.length > MAX_MANIFEST_BYTES) throw new ManifestError(`Manifest size ${bytes.length} exceeds the maximum of ${MAX_MANIFEST_BYTES} bytes`);
  try {
    return utf8.decode(bytes);
  } catch {
    throw new ManifestError('Invalid JSON syntax');
  }
}

/** A media type as a content type carries it: parameters (`; charset=...`) dropped, lower case. */
export function baseMediaType(contentType: string | undefined): string | undefined {
  if (contentType === undefined) return undefined;
  const base = contentType.split(';')[0]!.trim().toLowerCase();
  return base === '' ? undefined : base;
}

/**
 * Parses and validates a manifest. `givenType` is the type the client declared (PutImage's
 * imageManifestMediaType, the registry's Content-Type); when both it and the manifest's own
 * `mediaType` are present they must agree, as distribution requires; a manifest without the
 * field (OCI allows it) takes the given type, and with neither it is refused, as ECR refuses it.
 */
export function parseManifest(bytes: Buffer, givenType?: string): ParsedManifest {
  const text = manifestText(bytes);
  let doc: unknown;
  try {
    doc = JSON.parse(text);
  } catch {
    throw new ManifestError('Invalid JSON syntax');
  }
  if (!isObject(doc)) throw new ManifestError('Invalid JSON syntax');
  const declared = doc.mediaType;
  if (declared !== undefined && typeof declared !== 'string') throw new ManifestError("Invalid manifest: 'mediaType' must be a string");
  const given = baseMediaType(givenType);
  if (doc.schemaVersion === 1 || SCHEMA1_TYPES.has(given ?? '') || SCHEMA1_TYPES.has(declared ?? '')) {
    throw new ManifestError('Unsupported manifest: Docker image manifest schema version 1 is not supported', 'unsupported');
  }
  if (doc.schemaVersion !== 2) throw new ManifestError("Invalid manifest: 'schemaVersion' must be 2");
  const mediaType = resolveMediaType(declared, given);
  const index = INDEX_TYPES.has(mediaType);
  const out: ParsedManifest = { mediaType, kind: index ? 'index' : 'manifest', layers: [], manifests: [] };
  if (index) {
    if (doc.config !== undefined || doc.layers !== undefined) throw new ManifestError('Invalid manifest: an image index has no config or layers');
    if (!Array.isArray(doc.manifests)) throw new ManifestError("Invalid manifest: 'manifests' must be an array");
    out.manifests = doc.manifests.map((d, i) => descriptor(d, `manifests[${i}]`, true));
  } else {
    if (doc.manifests !== undefined) throw new ManifestError("Invalid manifest: an image manifest has no 'manifests'");
    out.config = descriptor(doc.config, 'config', false);
    if (!Array.isArray(doc.layers)) throw new ManifestError("Invalid manifest: 'layers' must be an array");
    out.layers = doc.layers.map((d, i) => descriptor(d, `layers[${i}]`, false));
    if (mediaType === DOCKER_MANIFEST && out.layers.length === 0) throw new ManifestError('Invalid manifest: an image manifest needs at least one layer');
  }
  if (doc.subject !== undefined) {
    if (mediaType === DOCKER_MANIFEST || mediaType === DOCKER_LIST) throw new ManifestError("Invalid manifest: 'subject' is an OCI field");
    out.subject = descriptor(doc.subject, 'subject', false);
  }
  if (doc.artifactType !== undefined) {
    if (typeof doc.artifactType !== 'string' || !MEDIA_TYPE_RE.test(doc.artifactType)) throw new ManifestError("Invalid manifest: 'artifactType' must be a media type");
    if (mediaType !== OCI_MANIFEST && mediaType !== OCI_INDEX) throw new ManifestError("Invalid manifest: 'artifactType' is an OCI field");
    out.artifactType = doc.artifactType;
  }
  if (doc.annotations !== undefined) out.annotations = annotations(doc.annotations, 'annotations');
  return out;
}

function resolveMediaType(declared: string | undefined, given: string | undefined): string {
  if (declared !== undefined && given !== undefined && declared !== given) {
    throw new ManifestError(`Invalid manifest: the manifest's mediaType '${declared}' does not match the given media type '${given}'`);
  }
  // ECR: a manifest without its mediaType field needs imageManifestMediaType (the registry: Content-Type).
  const type = declared ?? given;
  if (type === undefined) throw new ManifestError('Invalid manifest: the manifest has no mediaType field and no media type was given for it');
  if (!MANIFEST_TYPES.includes(type)) throw new ManifestError(`Unsupported manifest media type '${type}'`, 'unsupported');
  return type;
}

function descriptor(v: unknown, at: string, child: boolean): Descriptor {
  if (!isObject(v)) throw new ManifestError(`Invalid manifest: '${at}' must be a descriptor object`);
  const { mediaType, digest, size } = v;
  if (typeof mediaType !== 'string' || !MEDIA_TYPE_RE.test(mediaType)) throw new ManifestError(`Invalid manifest: '${at}.mediaType' must be a media type`);
  if (typeof digest !== 'string' || !DIGEST_GRAMMAR_RE.test(digest)) throw new ManifestError(`Invalid manifest: '${at}.digest' is not a valid digest`);
  if (!SHA256_DIGEST_RE.test(digest)) throw new ManifestError(`Invalid manifest: '${at}.digest' uses an unsupported digest algorithm (only sha256)`);
  if (typeof size !== 'number' || !Number.isSafeInteger(size) || size < 0) throw new ManifestError(`Invalid manifest: '${at}.size' must be a non-negative integer`);
  const d: Descriptor = { mediaType, digest, size };
  if (v.urls !== undefined) {
    if (!Array.isArray(v.urls) || !v.urls.every((u) => typeof u === 'string')) throw new ManifestError(`Invalid manifest: '${at}.urls' must be a list of strings`);
    d.urls = v.urls as string[];
  }
  if (v.artifactType !== undefined) {
    if (typeof v.artifactType !== 'string') throw new ManifestError(`Invalid manifest: '${at}.artifactType' must be a string`);
    d.artifactType = v.artifactType;
  }
  if (v.annotations !== undefined) d.annotations = annotations(v.annotations, `${at}.annotations`);
  if (child) {
    if (!MANIFEST_TYPES.includes(mediaType)) throw new ManifestError(`Invalid manifest: '${at}.mediaType' '${mediaType}' is not a manifest media type`);
    if (v.platform !== undefined) d.platform = platform(v.platform, `${at}.platform`);
  }
  return d;
}

function platform(v: unknown, at: string): Platform {
  if (!isObject(v)) throw new ManifestError(`Invalid manifest: '${at}' must be an object`);
  const out: Platform = {};
  for (const k of ['architecture', 'os', 'variant'] as const) {
    const x = v[k];
    if (x === undefined) continue;
    if (typeof x !== 'string') throw new ManifestError(`Invalid manifest: '${at}.${k}' must be a string`);
    out[k] = x;
  }
  return out;
}

function annotations(v: unknown, at: string): Record<string, string> {
  if (!isObject(v) || !Object.values(v).every((x) => typeof x === 'string')) {
    throw new ManifestError(`Invalid manifest: '${at}' must map strings to strings`);
  }
  return v as Record<string, string>;
}

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** ECR's artifactMediaType: the OCI artifactType, else the config's media type (image manifests). */
export function artifactMediaTypeOf(m: ParsedManifest): string | undefined {
  return m.artifactType ?? m.config?.mediaType;
}

/** Every blob an image manifest needs the registry to hold: its config and its non-foreign layers. */
export function requiredBlobs(m: ParsedManifest): Descriptor[] {
  if (m.kind !== 'manifest') return [];
  return [m.config!, ...m.layers.filter((l) => !isForeignLayer(l))];
}
