// The bundle's entry points, relative to the compiled src/ directory: the CLI, and the modules
// loaded by URL at run time rather than imported (worker threads), which must sit beside the
// chunks that start them. Shared by scripts/bundle.mjs and the test runner's bundle.
export const bundleEntries = (srcDir) => ({
  main: `${srcDir}/main.js`,
  // src/services/s3/hash-pool.ts starts it as ./hash-worker.js next to its own chunk.
  'hash-worker': `${srcDir}/services/s3/hash-worker.js`,
});
