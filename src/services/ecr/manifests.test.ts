import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import {
  DOCKER_CONFIG, DOCKER_LIST, DOCKER_MANIFEST, MAX_MANIFEST_BYTES, ManifestError, OCI_INDEX, OCI_MANIFEST,
  artifactMediaTypeOf, baseMediaType, parseManifest, requiredBlobs, sha256Digest,
} from './manifests.js';

const d = (c: string) => `sha256:${c.repeat(64)}`;
const buf = (v: unknown) => Buffer.from(typeof v === 'string' ? v : JSON.stringify(v), 'utf8');

const dockerManifest = {
  schemaVersion: 2,
  mediaType: DOCKER_MANIFEST,
  config: { mediaType: DOCKER_CONFIG, size: 10, digest: d('a') },
  layers: [{ mediaType: 'application/vnd.docker.image.rootfs.diff.tar.gzip', size: 20, digest: d('b') }],
};
const ociManifest = {
  schemaVersion: 2,
  mediaType: OCI_MANIFEST,
  config: { mediaType: 'application/vnd.oci.image.config.v1+json', size: 10, digest: d('a') },
  layers: [{ mediaType: 'application/vnd.oci.image.layer.v1.tar+gzip', size: 20, digest: d('b') }],
};

function refused(bytes: Buffer, type: string | undefined, re: RegExp, kind: 'invalid' | 'unsupported' = 'invalid'): void {
  assert.throws(() => parseManifest(bytes, type), (e: unknown) => e instanceof ManifestError && re.test(e.message) && e.kind === kind);
}

describe('manifests', () => {
  test('Docker v2 schema 2: config and layers, artifactMediaType is the config type', () => {
    const m = parseManifest(buf(dockerManifest), DOCKER_MANIFEST);
    assert.equal(m.mediaType, DOCKER_MANIFEST);
    assert.equal(m.kind, 'manifest');
    assert.equal(m.config?.digest, d('a'));
    assert.deepEqual(m.layers.map((l) => l.digest), [d('b')]);
    assert.equal(artifactMediaTypeOf(m), DOCKER_CONFIG);
    assert.deepEqual(requiredBlobs(m).map((x) => x.digest), [d('a'), d('b')]);
  });

  test('media type: from the manifest or the given type, which must agree; neither is refused', () => {
    assert.equal(parseManifest(buf(dockerManifest)).mediaType, DOCKER_MANIFEST);
    const { mediaType: _, ...bare } = ociManifest;
    assert.equal(parseManifest(buf(bare), OCI_MANIFEST).mediaType, OCI_MANIFEST);
    assert.equal(parseManifest(buf(bare), 'application/vnd.oci.image.manifest.v1+json; charset=utf-8').mediaType, OCI_MANIFEST);
    refused(buf(bare), undefined, /no mediaType field and no media type was given/);
    refused(buf(dockerManifest), OCI_MANIFEST, /does not match/);
    const { mediaType: __, ...bareDocker } = dockerManifest;
    assert.equal(parseManifest(buf(bareDocker), DOCKER_MANIFEST).mediaType, DOCKER_MANIFEST);
    refused(buf({ ...ociManifest, mediaType: 'application/x-unknown' }), undefined, /Unsupported manifest media type/, 'unsupported');
    refused(buf(bare), 'application/json', /Unsupported manifest media type/, 'unsupported');
  });

  test('schema 1 refused as unsupported, by schemaVersion or by type', () => {
    refused(buf({ schemaVersion: 1, name: 'x', tag: 'y', fsLayers: [] }), undefined, /schema version 1/, 'unsupported');
    refused(buf(dockerManifest), 'application/vnd.docker.distribution.manifest.v1+prettyjws', /schema version 1/, 'unsupported');
  });

  test('indexes: children must be manifests; platforms kept; subject and artifactType on OCI only', () => {
    const idx = {
      schemaVersion: 2,
      mediaType: OCI_INDEX,
      manifests: [
        { mediaType: OCI_MANIFEST, size: 300, digest: d('c'), platform: { architecture: 'amd64', os: 'linux' } },
        { mediaType: OCI_MANIFEST, size: 300, digest: d('e'), platform: { architecture: 'arm64', os: 'linux', variant: 'v8' } },
      ],
    };
    const m = parseManifest(buf(idx));
    assert.equal(m.kind, 'index');
    assert.deepEqual(m.manifests.map((x) => x.platform?.architecture), ['amd64', 'arm64']);
    assert.deepEqual(requiredBlobs(m), []);
    refused(buf({ ...idx, manifests: [{ mediaType: 'application/octet-stream', size: 1, digest: d('c') }] }), undefined, /not a manifest media type/);
    const { mediaType: _, ...bareIdx } = idx;
    assert.equal(parseManifest(buf(bareIdx), OCI_INDEX).mediaType, OCI_INDEX);
    refused(buf(bareIdx), OCI_MANIFEST, /has no 'manifests'/);
    assert.equal(parseManifest(buf({ ...idx, mediaType: DOCKER_LIST })).mediaType, DOCKER_LIST);

    const sig = { ...ociManifest, artifactType: 'application/vnd.dev.cosign.artifact.sig.v1+json', subject: { mediaType: OCI_MANIFEST, size: 5, digest: d('f') } };
    const s = parseManifest(buf(sig));
    assert.equal(s.subject?.digest, d('f'));
    assert.equal(artifactMediaTypeOf(s), 'application/vnd.dev.cosign.artifact.sig.v1+json');
    refused(buf({ ...dockerManifest, subject: sig.subject }), undefined, /OCI field/);
    refused(buf({ ...ociManifest, artifactType: 'not a type' }), undefined, /artifactType/);
  });

  test('malformed manifests: JSON, schemaVersion, descriptors, digests, sizes', () => {
    refused(buf('{"schemaVersion": 2,'), undefined, /Invalid JSON syntax/);
    refused(buf('[]'), undefined, /Invalid JSON syntax/);
    refused(buf({ ...dockerManifest, schemaVersion: 3 }), undefined, /schemaVersion/);
    refused(buf({ ...dockerManifest, config: undefined }), undefined, /'config' must be a descriptor/);
    refused(buf({ ...dockerManifest, layers: {} }), undefined, /'layers' must be an array/);
    refused(buf({ ...dockerManifest, layers: [] }), undefined, /at least one layer/);
    refused(buf({ ...dockerManifest, layers: [{ mediaType: 'a/b', size: 1, digest: 'sha256:xyz!' }] }), undefined, /not a valid digest/);
    refused(buf({ ...dockerManifest, layers: [{ mediaType: 'a/b', size: 1, digest: `sha512:${'a'.repeat(128)}` }] }), undefined, /unsupported digest algorithm/);
    refused(buf({ ...dockerManifest, layers: [{ mediaType: 'a/b', size: -1, digest: d('b') }] }), undefined, /size/);
    refused(buf({ ...dockerManifest, layers: [{ mediaType: 'a/b', size: 1.5, digest: d('b') }] }), undefined, /size/);
    refused(buf({ ...ociManifest, manifests: [] }), undefined, /has no 'manifests'/);
    refused(buf({ ...ociManifest, annotations: { a: 1 } }), undefined, /annotations/);
  });

  test('OCI artifacts may have no layers; foreign layers with urls are not required blobs', () => {
    assert.equal(parseManifest(buf({ ...ociManifest, layers: [] })).layers.length, 0);
    const foreign = {
      ...dockerManifest,
      layers: [...dockerManifest.layers, { mediaType: 'application/vnd.docker.image.rootfs.foreign.diff.tar.gzip', size: 99, digest: d('9'), urls: ['https://example.com/l'] }],
    };
    assert.deepEqual(requiredBlobs(parseManifest(buf(foreign))).map((x) => x.digest), [d('a'), d('b')]);
  });

  test('bytes: non-UTF-8 refused, 4 MiB limit, digest of the exact bytes', () => {
    const latin1 = Buffer.concat([buf('{"schemaVersion":2,"x":"'), Buffer.from([0xff, 0xfe]), buf('"}')]);
    refused(latin1, undefined, /Invalid JSON syntax/);
    const pad = ' '.repeat(MAX_MANIFEST_BYTES);
    refused(buf(JSON.stringify(dockerManifest) + pad), undefined, /exceeds the maximum/);
    const spaced = buf(JSON.stringify(dockerManifest, null, 3));
    assert.notEqual(sha256Digest(spaced), sha256Digest(buf(dockerManifest)));
    assert.match(sha256Digest(spaced), /^sha256:[0-9a-f]{64}$/);
    assert.equal(baseMediaType(' Application/Vnd.OCI.Image.Index.v1+json ;x=y'), OCI_INDEX);
  });
});
