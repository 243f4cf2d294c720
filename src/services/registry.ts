import { loadModel, type ServiceModel } from '../protocol/models.js';
import type { ProtocolCodec } from '../protocol/codec.js';
import { queryCodec, queryCodecRequiredOnly, ec2Codec } from '../protocol/query.js';
import { restXmlCodec } from '../protocol/rest-xml.js';
import { createJsonCodec } from '../protocol/json.js';
import { createRpcV2CborCodec } from '../protocol/cbor.js';
import { createRestJsonCodec } from '../protocol/rest-json.js';
import type { ValidationStyle } from '../protocol/validate.js';
import type { CatalogEntry } from './catalog.js';
import type { ServiceDefinition } from './types.js';

export interface LoadedService {
  entry: CatalogEntry;
  def: ServiceDefinition;
  model: ServiceModel;
  /** The codec of the service's own protocol. */
  codec: ProtocolCodec;
  /** A JSON codec for services that also accept JSON (CloudWatch's JSON 1.0). */
  jsonCodec?: ProtocolCodec;
  /** An RPC v2 CBOR codec for services that also accept it (CloudWatch). */
  cborCodec?: ProtocolCodec;
}

/** Handler names that are not operations of the model: a wiring mistake, never served. */
export function unknownHandlers(def: ServiceDefinition, model: ServiceModel): string[] {
  return Object.keys(def.handlers).filter((op) => !model.operation(op));
}

/**
 * Services whose front end is AWS's generic validation layer: the model's min / max / pattern /
 * enum are checked before the handler, with "N validation error(s) detected: ..." under
 * ValidationError (query) or ValidationException (JSON), unless VALIDATION_STYLES gives the
 * service its own wording (ECR's InvalidParameterException). The others check required members
 * only and leave values to their handlers, which answer in each service's own words as AWS
 * does: EC2 (InvalidParameterValue; most model limits not enforced), S3 (KeyTooLongError,
 * InvalidArgument, ...), SNS (InvalidParameter), CloudWatch (InvalidParameterValue: "The
 * collection MetricData must not have a size greater than ..."), ELBv2 (its own sentences).
 */
export const MODEL_VALIDATED: ReadonlySet<string> = new Set(['iam', 'sts', 'ecr', 'autoscaling']);

/** ECR's repository-name rule as its messages print it (not the model's newer spelling of the rule). */
export const ECR_REPOSITORY_NAME_PATTERN = '(?:[a-z0-9]+(?:[._-][a-z0-9]+)*/)*[a-z0-9]+(?:[._-][a-z0-9]+)*';

/**
 * Model-validated services that word the failure their own way rather than "N validation
 * error(s) detected": ECR answers InvalidParameterException "Invalid parameter at
 * 'repositoryName' failed to satisfy constraint: 'must satisfy regular expression '...''" for
 * the first violation (validate.ts, ValidationStyle). Missing from this map: the generic wording.
 */
export const VALIDATION_STYLES: Readonly<Record<string, ValidationStyle>> = {
  ecr: {
    kind: 'invalid-parameter',
    code: 'InvalidParameterException',
    shownPatterns: {
      // The model's RepositoryName pattern; real ECR's message quotes its older form of the rule.
      '[a-z0-9]+((\\.|_|__|-+)[a-z0-9]+)*(\\/[a-z0-9]+((\\.|_|__|-+)[a-z0-9]+)*)*': ECR_REPOSITORY_NAME_PATTERN,
    },
  },
};

/** `constraints: false` turns the value checks off for every service (the conformance run's wire-only view). */
export function codecFor(
  entry: CatalogEntry, model: ServiceModel, opts: { constraints?: boolean } = {},
): Pick<LoadedService, 'codec' | 'jsonCodec' | 'cborCodec'> {
  const constraints = (opts.constraints ?? true) && MODEL_VALIDATED.has(entry.name);
  const validationStyle = VALIDATION_STYLES[entry.name];
  const style = validationStyle ? { validationStyle } : {};
  const json = entry.targetPrefix
    ? createJsonCodec({ version: entry.jsonVersion ?? (model.metadata.jsonVersion as '1.0' | '1.1') ?? '1.1', targetPrefix: entry.targetPrefix, constraints, ...style })
    : undefined;
  const cbor = entry.cborServiceName ? createRpcV2CborCodec({ serviceName: entry.cborServiceName, constraints, ...style }) : undefined;
  switch (entry.protocol) {
    case 'query': return { codec: constraints ? queryCodec : queryCodecRequiredOnly, jsonCodec: json, cborCodec: cbor };
    case 'ec2': return { codec: ec2Codec };
    case 'rest-xml': return { codec: restXmlCodec };
    case 'json': return { codec: json!, jsonCodec: json, cborCodec: cbor };
    case 'rest-json': return { codec: createRestJsonCodec({ constraints, ...style }) };
  }
}

/**
 * Loads services on first use and keeps them for the life of the server. One registry per
 * server instance, so two servers in one process (tests) share nothing.
 */
export class ServiceRegistry {
  private readonly loading = new Map<string, Promise<LoadedService>>();
  private readonly byName: Map<string, CatalogEntry>;

  constructor(readonly catalog: readonly CatalogEntry[]) {
    this.byName = new Map(catalog.map((e) => [e.name, e]));
  }

  entry(name: string): CatalogEntry | undefined {
    return this.byName.get(name);
  }

  isLoaded(name: string): boolean {
    return this.loading.has(name);
  }

  get(name: string): Promise<LoadedService> {
    let p = this.loading.get(name);
    if (!p) {
      const entry = this.byName.get(name);
      if (!entry) return Promise.reject(new Error(`unknown service ${name}`));
      p = load(entry);
      // A failed load is retried by the next request rather than cached forever.
      p.catch(() => this.loading.delete(name));
      this.loading.set(name, p);
    }
    return p;
  }
}

async function load(entry: CatalogEntry): Promise<LoadedService> {
  // A copy per registry: one server's handler table never leaks into another's.
  const loaded = await entry.load();
  const def = { ...loaded, handlers: { ...loaded.handlers } };
  const model = loadModel(entry.modelId);
  const bad = unknownHandlers(def, model);
  if (bad.length) throw new Error(`service ${entry.name}: handlers for operations not in model ${entry.modelId}: ${bad.join(', ')}`);
  return { entry, def, model, ...codecFor(entry, model) };
}

/**
 * Loads every service and checks each handler against its model. Run by the build and by
 * `cloudlet start --check`, not on every start, so start-up stays free of model parsing.
 */
export async function verifyCatalog(catalog: readonly CatalogEntry[]): Promise<Array<{ service: string; operations: number; handlers: number }>> {
  const out = [];
  for (const entry of catalog) {
    const s = await load(entry);
    out.push({ service: entry.name, operations: s.model.operationNames.length, handlers: Object.keys(s.def.handlers).length });
  }
  return out;
}
