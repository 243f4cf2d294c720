/**
 * The installed botocore's service models (python package data), which may be newer or older
 * than the vendored ones in models/. Used as botocore's view of the shapes when pruning skew, as
 * the reference for model-data defects, and as botocore's own enum / min / max when generating
 * the values botocore is handed.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { ServiceModel } from '../../src/protocol/models.js';
import type { RawModel } from '../../src/protocol/model-types.js';

let dataDir: string | null | undefined;

/** botocore's data directory, or null when python3 / botocore is not installed. */
export function botocoreDataDir(): string | null {
  if (dataDir !== undefined) return dataDir;
  const run = spawnSync('python3', ['-c', 'import botocore, os; print(os.path.join(os.path.dirname(botocore.__file__), "data"))'], { encoding: 'utf8', timeout: 30_000 });
  dataDir = run.status === 0 ? run.stdout.trim() : null;
  return dataDir;
}

const cache = new Map<string, ServiceModel | null>();
const raws = new Map<string, RawModel>();

export function botocoreModel(name: string, apiVersion: string): ServiceModel | undefined {
  const key = `${name}/${apiVersion}`;
  if (cache.has(key)) return cache.get(key) ?? undefined;
  const dir = botocoreDataDir();
  let model: ServiceModel | null = null;
  if (dir) {
    for (const file of ['service-2.json.gz', 'service-2.json']) {
      const p = join(dir, name, apiVersion, file);
      if (!existsSync(p)) continue;
      const buf = readFileSync(p);
      const raw = JSON.parse((file.endsWith('.gz') ? gunzipSync(buf) : buf).toString('utf8')) as RawModel;
      raws.set(key, raw);
      model = new ServiceModel(raw);
      break;
    }
  }
  cache.set(key, model);
  return model ?? undefined;
}

export interface ModeledError {
  name: string;
  code: string;
  status: number;
}

/** botocore's error shapes, each with its wire code (error.code, else the shape name). */
export function botocoreErrors(name: string, apiVersion: string): ModeledError[] {
  if (!botocoreModel(name, apiVersion)) return [];
  const raw = raws.get(`${name}/${apiVersion}`)!;
  const out: ModeledError[] = [];
  for (const [shapeName, shape] of Object.entries(raw.shapes)) {
    if (!shape.exception) continue;
    const status = shape.error?.httpStatusCode ?? (shape.error?.senderFault === false ? 500 : 400);
    out.push({ name: shapeName, code: shape.error?.code ?? shapeName, status });
  }
  return out;
}

/** The raw JSON of botocore's model (shape names intact), after botocoreModel loaded it. */
export function botocoreRaw(name: string, apiVersion: string): RawModel | undefined {
  botocoreModel(name, apiVersion);
  return raws.get(`${name}/${apiVersion}`);
}
