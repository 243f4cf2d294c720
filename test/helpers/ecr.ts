import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { CompleteLayerUploadCommand, InitiateLayerUploadCommand, UploadLayerPartCommand, type ECRClient } from '@aws-sdk/client-ecr';

export const DOCKER_MANIFEST = 'application/vnd.docker.distribution.manifest.v2+json';
export const DOCKER_CONFIG = 'application/vnd.docker.container.image.v1+json';
export const OCI_MANIFEST = 'application/vnd.oci.image.manifest.v1+json';
export const OCI_INDEX = 'application/vnd.oci.image.index.v1+json';

export const sha = (b: Buffer | string): string => `sha256:${createHash('sha256').update(b).digest('hex')}`;

/** Asserts an SDK error by exception name and (optionally) message. */
export async function expectError(p: Promise<unknown>, name: string, message?: RegExp): Promise<void> {
  await assert.rejects(p, (e: Error) => {
    assert.equal(e.name, name, `${e.name}: ${e.message}`);
    if (message) assert.match(e.message, message);
    return true;
  });
}

/** One blob into a repository through the ECR layer API (a single part); checks the digest ECR reports. */
export async function pushBlob(ecr: ECRClient, repositoryName: string, body: Buffer | string): Promise<{ digest: string; size: number }> {
  const buf = Buffer.isBuffer(body) ? body : Buffer.from(body);
  const digest = sha(buf);
  const { uploadId } = await ecr.send(new InitiateLayerUploadCommand({ repositoryName }));
  await ecr.send(new UploadLayerPartCommand({ repositoryName, uploadId, partFirstByte: 0, partLastByte: buf.length - 1, layerPartBlob: buf }));
  const done = await ecr.send(new CompleteLayerUploadCommand({ repositoryName, uploadId, layerDigests: [digest] }));
  assert.equal(done.layerDigest, digest);
  return { digest, size: buf.length };
}
