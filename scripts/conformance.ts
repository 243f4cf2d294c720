/**
 * npm run conformance [-- --seed N] [--cases N] [--service s3,iam,cloudwatch/json-1.0]
 *                      [--client sdk-js-v3|botocore] [--explain] [--verbose] [--max-failures N]
 *
 * Proves the wire layer against the official clients: for every operation of every registered
 * service and protocol, the AWS SDK for JavaScript v3 and botocore serialize generated inputs
 * that cloudlet's codec must decode exactly, and parse generated outputs and errors that
 * cloudlet's codec encoded. Prints per service/protocol/client: operations covered, cases run,
 * failures with the first differing member path. Exits 1 on any failure.
 */
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';

import { RESTRICTIONS } from '../src/protocol/samples.js';
import { INPUT_FIXUPS, NORMALISATIONS, OUTPUT_FIXUPS } from '../test/conformance/normalize.js';
import { formatReport, type Client } from '../test/conformance/report.js';
import { ALL_CLIENTS, runConformance } from '../test/conformance/run.js';

function flag(name: string): string | undefined {
  const args = process.argv.slice(2);
  const i = args.findIndex((a) => a === `--${name}` || a.startsWith(`--${name}=`));
  if (i < 0) return undefined;
  const a = args[i]!;
  return a.includes('=') ? a.slice(a.indexOf('=') + 1) : args[i + 1] ?? '';
}
const has = (name: string) => process.argv.slice(2).includes(`--${name}`);

const seed = flag('seed') !== undefined ? Number(flag('seed')) : Math.floor(Math.random() * 2 ** 31);
const cases = Number(flag('cases') ?? 5);
const services = flag('service')?.split(',').filter(Boolean);
const clients = (flag('client')?.split(',').filter(Boolean) ?? ALL_CLIENTS) as Client[];
if (!Number.isInteger(seed) || !Number.isInteger(cases) || cases < 1) {
  console.error('usage: npm run conformance -- [--seed N] [--cases N>=1] [--service name[,name]] [--client sdk-js-v3|botocore]');
  process.exit(2);
}

if (has('explain')) {
  console.log('Restrictions on generated values (src/protocol/samples-restrictions.ts):');
  for (const r of RESTRICTIONS) console.log(`  - ${r.id} [${r.applies}]: ${r.rule}. Why: ${r.why}`);
  console.log('Fix-ups (test/conformance/normalize.ts):');
  for (const r of [...INPUT_FIXUPS, ...OUTPUT_FIXUPS]) console.log(`  - ${r.id} [${r.applies}]: ${r.rule}`);
  console.log('Normalisations before comparing (test/conformance/normalize.ts):');
  for (const r of NORMALISATIONS) console.log(`  - ${r.id} [${r.applies}]: ${r.rule}`);
  console.log('');
}

console.log(`conformance: seed ${seed}, ${cases} cases per operation and direction, clients ${clients.join(', ')}${services ? `, services ${services.join(', ')}` : ''}`);
const started = Date.now();
const reports = await runConformance({
  seed, cases, services, clients, timeoutMs: 15_000,
  onReport: (r) => console.log(`  ${r.service}/${r.protocol} ${r.client}: ${r.covered.request.size}/${r.covered.response.size} ops, ${r.cases.request + r.cases.response + r.cases.error} cases, ${r.failures.length} failures (${(r.ms / 1000).toFixed(1)} s)`),
});
console.log('');
console.log(formatReport(reports, { verbose: has('verbose'), maxFailures: Number(flag('max-failures') ?? 20) }));
console.log(`replay: npm run conformance -- --seed ${seed} --cases ${cases}${services ? ` --service ${services.join(',')}` : ''}  (${((Date.now() - started) / 1000).toFixed(1)} s)`);
process.exit(reports.some((r) => r.failures.length > 0) ? 1 : 0);
