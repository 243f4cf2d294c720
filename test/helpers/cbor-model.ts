/**
 * A botocore data directory holding one service's installed model with RPC v2 CBOR as its only
 * protocol. botocore 1.43 ranks JSON before CBOR, so the AWS CLI v1 speaks CBOR only when
 * pointed here with AWS_DATA_PATH: how the tests reach cloudlet's CBOR codec from a real CLI.
 */
import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';

export async function cborOnlyModelDir(service: string): Promise<{ dataPath: string; remove(): void }> {
  const dataPath = mkdtempSync(join(tmpdir(), `cloudlet-${service}-cbor-`));
  const script = [
    'import json, os, sys, botocore.loaders',
    'model = botocore.loaders.Loader().load_service_model(sys.argv[2], "service-2")',
    'model["metadata"]["protocols"] = ["smithy-rpc-v2-cbor"]',
    'model["metadata"]["protocol"] = "smithy-rpc-v2-cbor"',
    'd = os.path.join(sys.argv[1], sys.argv[2], model["metadata"]["apiVersion"])',
    'os.makedirs(d)',
    'json.dump(model, open(os.path.join(d, "service-2.json"), "w"))',
  ].join('\n');
  try {
    await promisify(execFile)('python3', ['-c', script, dataPath, service], { timeout: 60_000 });
  } catch (err) {
    rmSync(dataPath, { recursive: true, force: true });
    throw err;
  }
  return { dataPath, remove: () => rmSync(dataPath, { recursive: true, force: true }) };
}
