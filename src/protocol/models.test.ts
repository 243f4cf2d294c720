import { strict as assert } from 'node:assert';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { CATALOG } from '../services/catalog.js';
import { loadModel, readRawModel } from './models.js';

const MANIFEST = JSON.parse(readFileSync(join(import.meta.dirname, '..', '..', 'models', 'MANIFEST.json'), 'utf8')) as {
  botocore: string; models: Record<string, { operations: number }>;
};

describe('vendored models (models/)', () => {
  it('one per registered service, each loading with the operation count its manifest records', () => {
    for (const entry of CATALOG) {
      const model = loadModel(entry.modelId);
      assert.equal(model.metadata.uid, entry.modelId);
      assert.equal(model.metadata.apiVersion, entry.apiVersion);
      assert.equal(model.operationNames.length, MANIFEST.models[entry.modelId]?.operations, entry.modelId);
    }
  });

  it('are current: botocore 1.43 counts, CRC64NVME and the other new S3 checksums are there', () => {
    const counts = Object.fromEntries(['ec2-2016-11-15', 's3-2006-03-01', 'iam-2010-05-08', 'ecr-2015-09-21', 'sts-2011-06-15']
      .map((id) => [id, loadModel(id).operationNames.length]));
    if (MANIFEST.botocore.startsWith('1.43.')) {
      assert.deepEqual(counts, { 'ec2-2016-11-15': 765, 's3-2006-03-01': 111, 'iam-2010-05-08': 176, 'ecr-2015-09-21': 58, 'sts-2011-06-15': 11 });
    }
    const s3 = loadModel('s3-2006-03-01');
    const put = s3.resolve(s3.operation('PutObject')!.input!);
    for (const m of ['ChecksumCRC64NVME', 'ChecksumSHA512', 'ChecksumXXHASH64']) assert.ok(put.members?.[m], m);
    assert.ok(s3.resolve({ shape: 'ChecksumAlgorithm' }).enum?.includes('CRC64NVME'));
  });

  it('carry the constraints (min, max, pattern, enum) and no documentation', () => {
    const iam = loadModel('iam-2010-05-08');
    const userName = iam.resolve(iam.resolve(iam.operation('CreateUser')!.input!).members!.UserName!);
    assert.deepEqual([userName.min, userName.max, userName.pattern], [1, 64, '[\\w+=,.@-]+']);
    for (const entry of CATALOG) {
      const text = JSON.stringify(readRawModel(entry.modelId));
      assert.doesNotMatch(text, /"(documentation|documentationUrl|examples)":/, entry.modelId);
    }
  });

  it('every pattern of every model compiles (none skipped)', () => {
    for (const entry of CATALOG) assert.deepEqual(loadModel(entry.modelId).skippedPatterns(), [], entry.modelId);
  });

  it('botocore sdk-extras are merged as botocore does (S3 Expires is a timestamp)', () => {
    assert.equal(loadModel('s3-2006-03-01').resolve({ shape: 'Expires' }).type, 'timestamp');
  });

  it('EC2 InferenceAcceleratorInfo.Accelerators: <accelerators><item>, the item name set by the overlay', () => {
    const ec2 = loadModel('ec2-2016-11-15');
    const info = ec2.resolve({ shape: 'InferenceAcceleratorInfo' });
    const list = ec2.resolve(info.members!.Accelerators!);
    assert.equal(list.locationName, 'accelerators');
    assert.equal(list.member!.locationName, 'item');
    assert.equal(readRawModel('ec2-2016-11-15').shapes.InferenceDeviceInfoList!.member!.locationName, undefined, 'upstream still lacks it');
  });
});
