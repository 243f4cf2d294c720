import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { gunzipSync } from 'node:zlib';
import type { ModelMetadata, Operation, RawModel, Shape } from './model-types.js';
import { applyOverlay, type Overlay } from './overlay.js';
import { compileJavaPattern, type CompiledPattern } from './java-regex.js';

/**
 * The one module that knows where AWS's service models come from: botocore's service-2.json
 * files vendored as data in models/ (scripts/refresh-models.ts refreshes them), each with its
 * overlay from models/overlays/ applied, read the first time a service is used.
 */
export class ServiceModel {
  readonly metadata: ModelMetadata;
  readonly operations: Readonly<Record<string, Operation>>;
  private readonly shapes: Record<string, Shape>;
  private readonly resolved = new WeakMap<Shape, Shape>();
  private readonly patterns = new Map<string, CompiledPattern>();

  constructor(raw: RawModel) {
    this.metadata = raw.metadata;
    this.operations = raw.operations;
    this.shapes = raw.shapes ?? {};
    for (const [name, op] of Object.entries(raw.operations)) op.name ??= name;
  }

  get operationNames(): string[] {
    return Object.keys(this.operations);
  }

  operation(name: string): Operation | undefined {
    return Object.prototype.hasOwnProperty.call(this.operations, name) ? this.operations[name] : undefined;
  }

  /**
   * A member reference merged with the shape it points at; the member's own traits
   * (locationName, location, flattened, ...) win over the target's. `type` defaults to string.
   */
  resolve(ref: Shape): Shape {
    const hit = this.resolved.get(ref);
    if (hit) return hit;
    let out: Shape;
    if (ref.shape !== undefined) {
      const target = this.shapes[ref.shape];
      if (!target) throw new Error(`model ${this.metadata.uid}: unknown shape ${ref.shape}`);
      const { shape: _ignored, ...traits } = ref;
      out = { ...this.resolve(target), ...traits };
    } else {
      out = ref.type ? ref : { ...ref, type: 'string' };
    }
    this.resolved.set(ref, out);
    return out;
  }

  /** A `pattern` trait compiled once per model; a pattern no engine here can take says why. */
  pattern(src: string): CompiledPattern {
    let hit = this.patterns.get(src);
    if (!hit) this.patterns.set(src, (hit = compileJavaPattern(src)));
    return hit;
  }

  /** Every `pattern` in the model that is not enforced, with the reason (cloudlet check lists them). */
  skippedPatterns(): Array<{ shape: string; pattern: string; reason: string }> {
    const out = [];
    for (const [name, shape] of Object.entries(this.shapes)) {
      if (shape.pattern === undefined) continue;
      const p = this.pattern(shape.pattern);
      if (!p.ok) out.push({ shape: name, pattern: shape.pattern, reason: p.reason });
    }
    return out;
  }

  /** The service's XML namespace (query, ec2) or undefined. */
  get xmlNamespace(): string | undefined {
    return this.metadata.xmlNamespace;
  }
}

/**
 * models/ beside the package root. Found by walking up from this file, so it is the same
 * directory whether this runs from src/ (tsx) or dist/src/ (the build).
 */
function modelsDir(): string {
  let dir = dirname(fileURLToPath(import.meta.url));
  for (let i = 0; i < 6; i++) {
    const candidate = join(dir, 'models');
    if (existsSync(join(candidate, 'MANIFEST.json'))) return candidate;
    dir = dirname(dir);
  }
  throw new Error('models/ not found: the vendored service models are missing (scripts/refresh-models.ts)');
}

let dirCache: string | undefined;
const dirOnce = () => (dirCache ??= modelsDir());

/** The vendored model as stored (no overlay): models/ID.json or models/ID.json.gz. */
export function readRawModel(uid: string, dir = dirOnce()): RawModel {
  if (!/^[a-z0-9.-]+-\d{4}-\d{2}-\d{2}$/i.test(uid)) throw new Error(`bad model id ${uid}`);
  const plain = join(dir, `${uid}.json`);
  const text = existsSync(plain) ? readFileSync(plain, 'utf8') : gunzipSync(readFileSync(`${plain}.gz`)).toString('utf8');
  return JSON.parse(text) as RawModel;
}

/** models/overlays/ID.json, or undefined when the model needs none. */
export function readOverlay(uid: string, dir = dirOnce()): Overlay | undefined {
  const p = join(dir, 'overlays', `${uid}.json`);
  return existsSync(p) ? (JSON.parse(readFileSync(p, 'utf8')) as Overlay) : undefined;
}

/** Loads a model by its id, e.g. 'ec2-2016-11-15', with its overlay applied. Pure read; callers cache. */
export function loadModel(uid: string, dir = dirOnce()): ServiceModel {
  const raw = readRawModel(uid, dir);
  const overlay = readOverlay(uid, dir);
  return new ServiceModel(overlay ? applyOverlay(raw, overlay, uid) : raw);
}
