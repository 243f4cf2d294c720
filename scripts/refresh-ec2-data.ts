/**
 * Regenerates data/ec2/ (the EC2 instance type catalog) from moto's vendored AWS responses.
 *
 *   pip install --upgrade moto                       # Apache-2.0; only its data files are read
 *   node --import tsx scripts/refresh-ec2-data.ts [--check] [--moto DIR]
 *
 * Reads moto/ec2/resources/instance_types.json.gz and
 * instance_type_offerings/{region,availability-zone-id}/REGION.json.gz (DescribeInstanceTypes
 * and DescribeInstanceTypeOfferings answers AWS gave moto's maintainers), and writes:
 *   data/ec2/instance-types.json.gz           InstanceTypeInfo[] sorted by name, as AWS returns it
 *   data/ec2/instance-type-offerings.json.gz  per region: its zone IDs and, per type, a bit mask
 *                                             of the zone IDs offering it (bit i = zones[i])
 *   data/ec2/prices.json                      approximate Linux On-Demand USD/hour (see SOURCE.md)
 * Offerings are keyed by zone ID (the physical zone, the same for every account), never by zone
 * name: cloudlet maps names to IDs per account (src/core/regions.ts), as AWS does.
 * Output is deterministic (sorted keys, gzip without a timestamp): running it twice changes
 * nothing. `--check` writes nothing and exits 1 when data/ec2/ is behind. Python (to locate moto)
 * is needed only here; the server and the tests read data/ec2/.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { gunzipSync, gzipSync } from 'node:zlib';
import { regionNames, zones } from '../src/core/regions.js';
import { estimatePrice, REGION_MULTIPLIER } from './ec2-price-method.js';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..');
const OUT = join(ROOT, 'data', 'ec2');
const check = process.argv.includes('--check');

/**
 * cloudlet regions moto has no offerings for take a newer region's list (newer regions open
 * with the current families only), zone by zone in ID order.
 */
const TEMPLATE_REGION: Record<string, string> = {
  'ap-east-2': 'ap-southeast-5',
  'ap-southeast-6': 'ap-southeast-5',
  'ap-southeast-7': 'ap-southeast-5',
  'mx-central-1': 'ca-west-1',
};

function motoDir(): string {
  const i = process.argv.indexOf('--moto');
  if (i > 0 && process.argv[i + 1]) return process.argv[i + 1]!;
  for (const py of ['python3', 'python']) {
    const r = spawnSync(py, ['-c', 'import moto, os; print(os.path.dirname(moto.__file__))'], { encoding: 'utf8' });
    if (r.status === 0 && r.stdout.trim()) return r.stdout.trim();
  }
  throw new Error('moto not found: pip install moto, or pass --moto /path/to/site-packages/moto');
}

const readGz = <T>(p: string): T => JSON.parse(gunzipSync(readFileSync(p)).toString('utf8')) as T;

/** JSON with sorted object keys, so equal data gives equal bytes. */
function sortKeys(v: unknown): unknown {
  if (Array.isArray(v)) return v.map(sortKeys);
  if (v && typeof v === 'object') {
    return Object.fromEntries(Object.keys(v as object).sort().map((k) => [k, sortKeys((v as Record<string, unknown>)[k])]));
  }
  return v;
}

interface Offer { InstanceType: string; Location: string }

function main(): void {
  const res = join(motoDir(), 'ec2', 'resources');
  const version = spawnSync('python3', ['-c', 'import moto; print(moto.__version__)'], { encoding: 'utf8' }).stdout.trim() || 'unknown';
  const raw = readGz<Record<string, Record<string, unknown>>>(join(res, 'instance_types.json.gz'));
  const names = Object.keys(raw).sort();
  const types = names.map((n) => sortKeys(raw[n]));

  const offerings: Record<string, { zones: string[]; types: Record<string, number> }> = {};
  for (const region of regionNames()) {
    // The zone IDs cloudlet reports for the region (any account: the set is the same).
    const ids = zones(region, '000000000000').map((z) => z.zoneId).sort();
    const source = existsSync(join(res, 'instance_type_offerings', 'region', `${region}.json.gz`)) ? region : TEMPLATE_REGION[region];
    if (!source) throw new Error(`no offerings for ${region} and no template region`);
    const inRegion = new Set(readGz<Offer[]>(join(res, 'instance_type_offerings', 'region', `${source}.json.gz`)).map((o) => o.InstanceType));
    const byZone = readGz<Offer[]>(join(res, 'instance_type_offerings', 'availability-zone-id', `${source}.json.gz`));
    const srcIds = [...new Set(byZone.map((o) => o.Location))].sort();
    const masks: Record<string, number> = {};
    for (const o of byZone) {
      if (!inRegion.has(o.InstanceType) || !raw[o.InstanceType]) continue;
      // Same physical zone when the region is its own source; the i-th zone of the template otherwise.
      const target = source === region ? o.Location : ids[srcIds.indexOf(o.Location)];
      const bit = target === undefined ? -1 : ids.indexOf(target);
      if (bit < 0) continue;
      masks[o.InstanceType] = (masks[o.InstanceType] ?? 0) | (1 << bit);
    }
    // A type the region lists but no zone does (rare in the data): offered in every zone.
    for (const t of inRegion) if (raw[t] && masks[t] === undefined) masks[t] = (1 << ids.length) - 1;
    offerings[region] = { zones: ids, types: Object.fromEntries(Object.keys(masks).sort().map((k) => [k, masks[k]!])) };
  }

  const prices = {
    currency: 'USD',
    unit: 'per hour, Linux/UNIX, default tenancy',
    approximate: true,
    method: 'see data/ec2/SOURCE.md',
    regionMultiplier: sortKeys(REGION_MULTIPLIER),
    usEast1: Object.fromEntries(names.map((n) => [n, estimatePrice(raw[n] as never)])),
  };

  const files: Array<[string, Buffer]> = [
    ['instance-types.json.gz', gzipSync(JSON.stringify(types), { level: 9 })],
    ['instance-type-offerings.json.gz', gzipSync(JSON.stringify({ source: `moto ${version}`, templates: TEMPLATE_REGION, regions: offerings }), { level: 9 })],
    ['prices.json', Buffer.from(`${JSON.stringify(prices, null, 1)}\n`)],
  ];
  let stale = false;
  mkdirSync(OUT, { recursive: true });
  for (const [name, bytes] of files) {
    const p = join(OUT, name);
    const same = existsSync(p) && readFileSync(p).equals(bytes);
    if (!same) stale = true;
    if (!check && !same) writeFileSync(p, bytes);
    console.log(`${same ? 'unchanged' : check ? 'STALE' : 'wrote'} data/ec2/${name} (${bytes.length} bytes)`);
  }
  console.log(`${names.length} instance types, ${Object.keys(offerings).length} regions (moto ${version})`);
  if (check && stale) process.exit(1);
}

main();
