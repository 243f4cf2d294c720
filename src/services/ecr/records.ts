/**
 * Every stored ECR row kind. Scopes: a registry is {account: registryId, region}; repositories,
 * images, tags, layer links, uploads, policies and settings live there. Layer bytes are
 * content-addressed across every account and region: one BLOB row per digest in BLOB_SCOPE.
 *
 * Who writes what (one module per kind, so the invariants have one home):
 *   repositories.ts  REPOSITORY (and REGISTRY_SETTINGS)
 *   images.ts        IMAGE and TAG together (a tag row is the index of an image's tags)
 *   layers.ts        BLOB, LAYER and UPLOAD
 *   scan/*.ts        SCAN
 *   lifecycle/*.ts   LIFECYCLE_PREVIEW, REPOSITORY.lifecycle; deletes images only through images.ts
 * Ids that combine a repository and something else use `${repo}\u0000${rest}`, so one
 * repository's rows are one prefix range (`repoPrefix`).
 */
import { GLOBAL_ACCOUNT, type Scope } from '../../store/types.js';

export const REPOSITORY = 'ecr:repository';
export const IMAGE = 'ecr:image';
export const TAG = 'ecr:tag';
export const LAYER = 'ecr:layer';
export const UPLOAD = 'ecr:upload';
export const BLOB = 'ecr:blob';
export const SCAN = 'ecr:scan';
/** id = repository name: the last lifecycle policy preview (lifecycle-handlers.ts). */
export const LIFECYCLE_PREVIEW = 'ecr:lifecycle-preview';
/** One row per registry (id REGISTRY_ID): registry policy, scanning and replication configuration, templates, settings. */
export const REGISTRY_SETTINGS = 'ecr:registry';
export const REGISTRY_ID = 'registry';
/** The HMAC key of authorization tokens, made on first use (token.ts). */
export const TOKEN_KEY = 'ecr:token-key';

export const BLOB_SCOPE: Scope = { account: GLOBAL_ACCOUNT, region: '' };

export function registryScope(registryId: string, region: string): Scope {
  return { account: registryId, region };
}

export function repoKey(repo: string, rest: string): string {
  return `${repo}\u0000${rest}`;
}

/** The id prefix of one repository's IMAGE, TAG, LAYER rows. */
export function repoPrefix(repo: string): string {
  return `${repo}\u0000`;
}

export type TagMutability = 'MUTABLE' | 'IMMUTABLE' | 'IMMUTABLE_WITH_EXCLUSION' | 'MUTABLE_WITH_EXCLUSION';

/** id = repository name. */
export interface RepositoryRecord {
  name: string;
  arn: string;
  registryId: string;
  region: string;
  /** ACCOUNT.dkr.ecr.REGION.localhost:PORT/NAME as DescribeRepositories reports it (port of the server that created it). */
  uri: string;
  createdAtMs: number;
  imageTagMutability: TagMutability;
  imageTagMutabilityExclusionFilters?: Array<{ filterType: string; filter: string }>;
  scanOnPush: boolean;
  encryption: { encryptionType: 'AES256' | 'KMS' | 'KMS_DSSE'; kmsKey?: string };
  tags: Array<{ Key: string; Value: string }>;
  /** The repository policy text, as set (SetRepositoryPolicy). */
  policy?: string;
  /**
   * The lifecycle policy text, when the clock last applied it, and when it is next due (before
   * then nothing can change: lifecycle/apply.ts). Written by lifecycle-handlers.ts and lifecycle/.
   */
  lifecycle?: { text: string; lastEvaluatedAtMs?: number; dueAtMs?: number };
}

/** id = repoKey(repo, digest). Written only by images.ts. */
export interface ImageRecord {
  repo: string;
  /** 'sha256:<64 hex>' of the manifest bytes. */
  digest: string;
  /** The manifest exactly as pushed (UTF-8 JSON text; its bytes hash to `digest`). */
  manifest: string;
  mediaType: string;
  /** OCI artifactType, or the config media type for artifacts (ECR's artifactMediaType). */
  artifactMediaType?: string;
  /** Sum of the layer sizes (ECR's imageSizeInBytes); for an index, of its children's. */
  sizeBytes: number;
  pushedAtMs: number;
  lastPullMs?: number;
  /** Kept in step with the TAG rows, sorted. */
  tags: string[];
  /** Config and layer digests (manifests), or child manifest digests (indexes). */
  refs: string[];
  /** Indexes: the child manifests with their platforms. */
  children?: Array<{ digest: string; mediaType: string; platform?: { architecture?: string; os?: string; variant?: string } }>;
  /** The `subject` digest (referrers API). */
  subject?: string;
  storageClass?: 'STANDARD' | 'ARCHIVE';
  /** When UpdateImageStorageClass last archived / restored it (lastArchivedAt, lastActivatedAt). */
  archivedAtMs?: number;
  activatedAtMs?: number;
}

/** id = repoKey(repo, tag). Written only by images.ts. */
export interface TagRecord {
  digest: string;
  atMs: number;
}

/** id = repoKey(repo, digest): this repository holds the layer (uploaded, mounted or referenced). */
export interface LayerRecord {
  digest: string;
  size: number;
  atMs: number;
}

/** id = digest; scope BLOB_SCOPE. The bytes, in one or more blob-store blobs read in order. */
export interface BlobRecord {
  parts: Array<{ blob: string; size: number }>;
  size: number;
  /** How many LAYER rows (in any registry) point here; 0 means it may be collected. */
  refs: number;
}

/** id = upload id (a UUID). Chunks already received are blob-store blobs. */
export interface UploadRecord {
  repo: string;
  parts: Array<{ blob: string; size: number }>;
  size: number;
  /** Written by earlier versions (hash-wasm state); no longer written nor read (registry/hashes.ts). */
  hashState?: string;
  startedAtMs: number;
  /** Started through the ECR API (InitiateLayerUpload) or the registry. */
  via: 'api' | 'registry';
  /** The principal that started it (only it may continue). */
  by: string;
}

/** id = repoKey(repo, digest). */
export interface ScanRecord {
  status: 'IN_PROGRESS' | 'COMPLETE' | 'FAILED' | 'UNSUPPORTED_IMAGE' | 'SCAN_ELIGIBILITY_EXPIRED' | 'PENDING';
  description?: string;
  startedAtMs: number;
  completedAtMs?: number;
  /** Vulnerability database version (its source and date) the scan used. */
  database?: string;
  /** The process running an IN_PROGRESS scan: another one means cloudlet stopped while it ran. */
  runner?: string;
  findings: Array<{ name: string; severity: string; uri?: string; description?: string; package: string; version: string; fixedVersion?: string; ecosystem: string; vector?: string; score?: number }>;
}

/** id = repository name. A preview is computed at once: it is stored COMPLETE. */
export interface LifecyclePreviewRecord {
  text: string;
  startedAtMs: number;
  /** The repository's createdAtMs: a preview of a deleted repository's namesake is not shown. */
  repoCreatedAtMs: number;
  results: Array<{
    digest: string;
    tags: string[];
    pushedAtMs: number;
    storageClass: 'STANDARD' | 'ARCHIVE';
    rulePriority: number;
    action: 'EXPIRE' | 'TRANSITION';
    targetStorageClass?: 'ARCHIVE';
  }>;
}
