import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import type { ModelMetadata, Operation, RawModel, Shape } from './model-types.js';

/**
 * The one module that knows where AWS's service models come from. Today: npm `aws-sdk`
 * v2's apis/*.min.json, read as data the first time a service is used. Swapping the source
 * (e.g. for the @aws-sdk/client-* schemas) means changing this file only.
 */
export class ServiceModel {
  readonly metadata: ModelMetadata;
  readonly operations: Readonly<Record<string, Operation>>;
  private readonly shapes: Record<string, Shape>;
  private readonly resolved = new WeakMap<Shape, Shape>();

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

  /** The service's XML namespace (query, ec2) or undefined. */
  get xmlNamespace(): string | undefined {
    return this.metadata.xmlNamespace;
  }
}

const require = createRequire(import.meta.url);
function apis(): string {
  return join(dirname(require.resolve('aws-sdk/package.json')), 'apis');
}

/** Loads a model by its file stem, e.g. 'ec2-2016-11-15'. Pure read; callers cache. */
export function loadModel(uid: string): ServiceModel {
  if (!/^[a-z0-9.-]+-\d{4}-\d{2}-\d{2}$/i.test(uid)) throw new Error(`bad model id ${uid}`);
  const raw = JSON.parse(readFileSync(join(apis(), `${uid}.min.json`), 'utf8')) as RawModel;
  return new ServiceModel(raw);
}
