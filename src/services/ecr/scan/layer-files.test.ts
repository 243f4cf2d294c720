import assert from 'node:assert/strict';
import { test } from 'node:test';
import { Readable } from 'node:stream';
import { collectFiles, fileData, isInteresting, UnsupportedLayer } from './layer-files.js';
import { sources, tarLayer } from './layer-testkit.js';

const text = (fs: Map<string, unknown>, p: string) => fileData(fs as never, p)?.toString('utf8');

test('layer files: only the interesting paths are kept, from gzip and plain tars alike', async () => {
  const big = 'x'.repeat(300_000);
  const l1 = await tarLayer([
    { name: './etc/', dir: true }, { name: './etc/os-release', data: 'ID=debian\n' },
    { name: './usr/bin/big', data: big }, { name: './var/lib/dpkg/status', data: 'Package: a\n' },
    { name: 'app/requirements.txt', data: 'requests==2.30.0\n' },
    { name: 'app/package-lock.json', data: '{}' }, { name: 'app/node_modules/x/package-lock.json', data: '{}' },
  ]);
  const l2 = await tarLayer([{ name: 'lib/apk/db/installed', data: 'P:musl\nV:1.2.4-r2\n' }], { gzip: false });
  const fs = await collectFiles(sources([l1, l2]));
  assert.deepEqual([...fs.keys()].sort(), ['app/package-lock.json', 'app/requirements.txt', 'etc/os-release', 'lib/apk/db/installed', 'var/lib/dpkg/status']);
  assert.equal(text(fs, 'etc/os-release'), 'ID=debian\n');
  assert.equal(text(fs, 'lib/apk/db/installed'), 'P:musl\nV:1.2.4-r2\n');
  assert.equal(isInteresting('var/lib/dpkg/status.d/libc6'), true);
  assert.equal(isInteresting('var/lib/dpkg/status.d/libc6.md5sums'), false);
  assert.equal(isInteresting('usr/share/doc/status'), false);
});

test('layer files: whiteouts and opaque directories of later layers remove earlier files', async () => {
  const base = await tarLayer([
    { name: 'etc/os-release', data: 'ID=debian\n' },
    { name: 'var/lib/dpkg/status', data: 'old status' },
    { name: 'var/lib/dpkg/status.d/a', data: 'a' }, { name: 'var/lib/dpkg/status.d/b', data: 'b' },
    { name: 'srv/app/requirements.txt', data: 'urllib3==1.26.5\n' },
  ]);
  // Layer 2: deletes the status file and the app directory, hides status.d's lower contents but adds c.
  const upper = await tarLayer([
    { name: 'var/lib/dpkg/status.d/c', data: 'c' },
    { name: 'var/lib/dpkg/.wh.status', data: '' },
    { name: 'var/lib/dpkg/status.d/.wh..wh..opq', data: '' },
    { name: 'srv/.wh.app', data: '' },
  ]);
  const fs = await collectFiles(sources([base, upper]));
  assert.deepEqual([...fs.keys()].sort(), ['etc/os-release', 'var/lib/dpkg/status.d/c']);
  // Layer 3 brings the status file back: a later layer's file wins.
  const again = await tarLayer([{ name: 'var/lib/dpkg/status', data: 'new status' }]);
  const fs3 = await collectFiles(sources([base, upper, again]));
  assert.equal(text(fs3, 'var/lib/dpkg/status'), 'new status');
  // A replacement in a later layer without a whiteout: the upper file wins.
  const replaced = await collectFiles(sources([base, await tarLayer([{ name: 'var/lib/dpkg/status', data: 'replaced' }])]));
  assert.equal(text(replaced, 'var/lib/dpkg/status'), 'replaced');
});

test('layer files: symbolic and hard links among kept files are followed', async () => {
  const l = await tarLayer([
    { name: 'usr/lib/os-release', data: 'ID=alpine\nVERSION_ID=3.19.1\n' },
    { name: 'etc/os-release', symlink: '../usr/lib/os-release' },
    { name: 'lib/apk/db/installed', data: 'P:zlib\nV:1.3.1-r0\n' },
    { name: 'srv/requirements.txt', hardlink: 'lib/apk/db/installed' },
  ]);
  const fs = await collectFiles(sources([l]));
  assert.equal(text(fs, 'etc/os-release'), 'ID=alpine\nVERSION_ID=3.19.1\n');
  assert.equal(text(fs, 'srv/requirements.txt'), 'P:zlib\nV:1.3.1-r0\n');
});

test('layer files: a zstd layer on a Node.js without zstd is refused by name; a corrupt gzip fails', async () => {
  const zstdMagic = Buffer.from([0x28, 0xb5, 0x2f, 0xfd, 0, 0, 0, 0]);
  const zlib = await import('node:zlib');
  if (!(zlib as unknown as { createZstdDecompress?: unknown }).createZstdDecompress) {
    await assert.rejects(collectFiles([{ digest: 'z', open: () => Readable.from([zstdMagic]) }]), (e: Error) => e instanceof UnsupportedLayer && /zstd/.test(e.message));
  }
  const bad = Buffer.concat([Buffer.from([0x1f, 0x8b, 8, 0]), Buffer.alloc(64, 7)]);
  await assert.rejects(collectFiles([{ digest: 'bad', open: () => Readable.from([bad]) }]));
});
