/**
 * Refreshes the vendored service models in models/ from the installed botocore.
 *
 *   pip install --upgrade botocore        # or any botocore >= 1.43
 *   node --import tsx scripts/refresh-models.ts [--check]
 *
 * For every service in src/services/catalog.ts it reads botocore's
 * data/<service>/<apiVersion>/service-2.json(.gz), merges botocore's own
 * service-2.sdk-extras.json (as botocore's loader does), strips documentation, and writes
 * models/<modelId>.json (models/<modelId>.json.gz when larger than 256 KB), then
 * models/MANIFEST.json (botocore version, operation counts, source digests).
 * Output is deterministic: running it twice changes nothing. `--check` writes nothing and
 * exits 1 when models/ differs from what botocore would give.
 *
 * Python is needed only here, to find botocore; the server, the tests and CI read models/.
 * Model defects are fixed in models/overlays/, never by editing the vendored files.
 */
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { gunzipSync, gzipSync } from 'node:zlib';
import { CATALOG } from '../src/services/catalog.js';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..');
const OUT = join(ROOT, 'models');
const GZIP_ABOVE = 256 * 1024;
const check = process.argv.includes('--check');

/** Keys that only carry prose for humans (docs, examples), wherever a trait can appear. */
const DOC_KEYS = new Set(['documentation', 'documentationUrl', 'examples', 'deprecatedMessage', 'deprecatedSince']);
/** Maps whose keys are names (members, shapes, operations), not traits: never stripped. */
const NAME_MAPS = new Set(['members', 'shapes', 'operations']);

function strip(value: unknown, parentKey = ''): unknown {
  if (Array.isArray(value)) return value.map((v) => strip(v));
  if (!value || typeof value !== 'object') return value;
  const out: Record<string, unknown> = {};
  const names = NAME_MAPS.has(parentKey);
  for (const [k, v] of Object.entries(value)) {
    if (!names && DOC_KEYS.has(k)) continue;
    out[k] = strip(v, names ? '' : k);
  }
  return out;
}

/** botocore's loader merge (botocore.utils.deep_merge): dicts merge, anything else replaces. */
function deepMerge(base: Record<string, unknown>, extra: Record<string, unknown>): void {
  for (const [k, v] of Object.entries(extra)) {
    const b = base[k];
    if (v && typeof v === 'object' && !Array.isArray(v) && b && typeof b === 'object' && !Array.isArray(b)) {
      deepMerge(b as Record<string, unknown>, v as Record<string, unknown>);
    } else base[k] = v;
  }
}

function botocore(): { dataDir: string; version: string } {
  const run = spawnSync('python3', ['-c', 'import botocore, os; print(botocore.__version__); print(os.path.join(os.path.dirname(botocore.__file__), "data"))'], { encoding: 'utf8' });
  if (run.status !== 0) throw new Error(`python3 cannot import botocore (pip install botocore): ${run.stderr.trim()}`);
  const [version, dataDir] = run.stdout.trim().split('\n');
  return { version: version!.trim(), dataDir: dataDir!.trim() };
}

function readMaybeGz(path: string): Buffer | undefined {
  if (existsSync(`${path}.gz`)) return gunzipSync(readFileSync(`${path}.gz`));
  if (existsSync(path)) return readFileSync(path);
  return undefined;
}

const { dataDir, version } = botocore();
const manifest: Record<string, unknown> = { botocore: version, models: {} as Record<string, unknown> };
let differs = false;

for (const entry of CATALOG) {
  // botocore names its directories by service (cloudwatch, elbv2), the catalog by model id
  // (monitoring-2010-08-01); try both, and trust only a model whose uid is the one wanted.
  const stem = entry.modelId.slice(0, -(entry.apiVersion.length + 1));
  let raw: Record<string, any> | undefined;
  let source = '';
  for (const dir of [entry.name, stem]) {
    const base = join(dataDir, dir, entry.apiVersion, 'service-2.json');
    const buf = readMaybeGz(base);
    if (!buf) continue;
    const parsed = JSON.parse(buf.toString('utf8'));
    if (parsed.metadata?.uid !== entry.modelId) continue;
    raw = parsed;
    source = `${dir}/${entry.apiVersion}/service-2.json${existsSync(`${base}.gz`) ? '.gz' : ''}`;
    const extras = readMaybeGz(join(dataDir, dir, entry.apiVersion, 'service-2.sdk-extras.json'));
    if (extras) deepMerge(raw!, JSON.parse(extras.toString('utf8')).merge ?? {});
    (manifest.models as Record<string, unknown>)[entry.modelId] = {
      source, sha256: createHash('sha256').update(buf).digest('hex'),
      sdkExtras: Boolean(extras), operations: Object.keys(parsed.operations).length,
    };
    break;
  }
  if (!raw) throw new Error(`botocore ${version} has no model ${entry.modelId} for service ${entry.name}`);
  const text = `${JSON.stringify(strip(raw))}\n`;
  const gz = Buffer.byteLength(text) > GZIP_ABOVE;
  const file = join(OUT, `${entry.modelId}.json${gz ? '.gz' : ''}`);
  const other = join(OUT, `${entry.modelId}.json${gz ? '' : '.gz'}`);
  const bytes = gz ? gzipSync(text, { level: 9 }) : Buffer.from(text);
  const same = existsSync(file) && readFileSync(file).equals(bytes) && !existsSync(other);
  if (!same) differs = true;
  if (!check) {
    writeFileSync(file, bytes);
    rmSync(other, { force: true });
  }
  console.log(`${entry.modelId}: ${Object.keys(raw.operations).length} operations from ${source}${same ? '' : check ? ' (differs)' : ' (written)'}`);
}

const manifestText = `${JSON.stringify(manifest, null, 2)}\n`;
const manifestPath = join(OUT, 'MANIFEST.json');
if (!existsSync(manifestPath) || readFileSync(manifestPath, 'utf8') !== manifestText) differs = true;
if (!check) writeFileSync(manifestPath, manifestText);
console.log(`botocore ${version}${check ? (differs ? ': models/ is out of date' : ': models/ is current') : ''}`);
if (check && differs) process.exit(1);
