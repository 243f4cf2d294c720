/**
 * Image layers for tests: a tar (optionally gzip'd) of the given entries, built with tar-stream,
 * and a dpkg status / os-release in the shapes Debian writes them.
 */
import { Readable } from 'node:stream';
import { gzipSync } from 'node:zlib';
import tar from 'tar-stream';
import type { LayerSource } from './layer-files.js';

export type TestEntry =
  | { name: string; data: string | Buffer }
  | { name: string; symlink: string }
  | { name: string; hardlink: string }
  | { name: string; dir: true };

export async function tarLayer(entries: TestEntry[], opts: { gzip?: boolean } = { gzip: true }): Promise<Buffer> {
  const pack = tar.pack();
  const chunks: Buffer[] = [];
  const done = (async () => { for await (const c of pack) chunks.push(c as Buffer); })();
  for (const e of entries) {
    await new Promise<void>((ok, fail) => {
      const cb = (err?: Error | null) => (err ? fail(err) : ok());
      if ('data' in e) pack.entry({ name: e.name, type: 'file', mode: 0o644 }, Buffer.from(e.data), cb);
      else if ('symlink' in e) pack.entry({ name: e.name, type: 'symlink', linkname: e.symlink }, cb);
      else if ('hardlink' in e) pack.entry({ name: e.name, type: 'link', linkname: e.hardlink }, cb);
      else pack.entry({ name: e.name, type: 'directory', mode: 0o755 }, cb);
    });
  }
  pack.finalize();
  await done;
  const raw = Buffer.concat(chunks);
  return opts.gzip === false ? raw : gzipSync(raw);
}

export function sources(layers: Buffer[]): LayerSource[] {
  return layers.map((b, i) => ({ digest: `layer-${i}`, open: () => Readable.from([b.subarray(0, 7), b.subarray(7)]) }));
}

export const DEBIAN_12_OS_RELEASE = [
  'PRETTY_NAME="Debian GNU/Linux 12 (bookworm)"', 'NAME="Debian GNU/Linux"', 'VERSION_ID="12"', 'VERSION="12 (bookworm)"',
  'VERSION_CODENAME=bookworm', 'ID=debian', 'HOME_URL="https://www.debian.org/"', '',
].join('\n');

export function dpkgEntry(p: { name: string; version: string; source?: string; status?: string; arch?: string }): string {
  return [
    `Package: ${p.name}`, `Status: ${p.status ?? 'install ok installed'}`, 'Priority: optional', 'Section: libs',
    'Installed-Size: 1234', 'Maintainer: Debian Maintainers <debian@example.org>', `Architecture: ${p.arch ?? 'amd64'}`,
    ...(p.source ? [`Source: ${p.source}`] : []), `Version: ${p.version}`, 'Description: a package',
    ' with a longer description', ' .', ' over several lines', '',
  ].join('\n');
}
