#!/usr/bin/env node
// node --test for scripts/run-tests.mjs, in the order given: `node --test FILES` sorts its files by
// name (Node 20), which would undo the runner's slowest-first order; run() keeps it.
//   node --import tsx scripts/run-test-files.mjs CONCURRENCY TAP_FILE FILES...
// Each file's process inherits this one's --import tsx. The spec report goes to stdout, the TAP
// report (which run-tests.mjs counts) to TAP_FILE; the exit status is 1 if a test failed.
import { createWriteStream } from 'node:fs';
import { resolve } from 'node:path';
import { run } from 'node:test';
import { spec, tap } from 'node:test/reporters';

const [concurrency, tapFile, ...files] = process.argv.slice(2);
// Absolute, as `node --test` names them: run-tests.mjs finds a file that ran no test by its path.
const stream = run({ files: files.map((f) => resolve(f)), concurrency: Number(concurrency) });
stream.on('test:fail', (e) => { if (!e.todo) process.exitCode = 1; });
stream.compose(new spec()).pipe(process.stdout);
stream.compose(tap).pipe(createWriteStream(tapFile));
