/**
 * data/ec2/ beside the package root (the instance type catalog, prices, the AMI catalog; see
 * data/ec2/SOURCE.md), found by walking up from this module: src/ under tsx, dist/ when built.
 */
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { gunzipSync } from 'node:zlib';

/** The file's bytes, gunzipped when it is only there as NAME.gz; undefined when neither exists. */
export function ec2DataFile(name: string): Buffer | undefined {
  let dir = dirname(fileURLToPath(import.meta.url));
  for (let i = 0; i < 7; i++) {
    const p = join(dir, 'data', 'ec2', name);
    if (existsSync(p)) return readFileSync(p);
    if (existsSync(`${p}.gz`)) return gunzipSync(readFileSync(`${p}.gz`));
    dir = dirname(dir);
  }
  return undefined;
}
