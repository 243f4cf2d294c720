#!/usr/bin/env node
import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { isLogLevel, type LogLevel } from './core/log.js';
import { VERSION } from './core/version.js';
import type { IamMode } from './server/context.js';
import { EDGE_FLAGS, EDGE_USAGE, edgeOptions } from './server/edge-options.js';
import { TLS_FLAGS, TLS_USAGE, tlsOptions } from './server/tls/options.js';

const USAGE = `cloudlet ${VERSION} — an AWS-compatible cloud on one machine

Usage:
  cloudlet start [--host 127.0.0.1] [--port 4566] [--data-dir DIR] [--ephemeral]
                 [--log-level debug|info|warn|error] [--iam enforce|audit|off]
                 [--ec2-boot-seconds N] [--ec2-vcpu-quota N] [--vuln-db FILE|DIR]
${EDGE_USAGE}
${TLS_USAGE}
  cloudlet ca [install | uninstall] [--data-dir DIR] [--port N]
                                                  the local CA (HTTPS) and how to trust it; install: the system store
  cloudlet clock [advance DURATION | reset]      read or fast-forward the server's clock (e.g. 31d, 12h)
  cloudlet reset [--account ID] [--service NAME] [--keep-clock]
                                                  remove all state (or one account's, or one service's)
  cloudlet state save NAME | load NAME | list | delete NAME
                                                  named snapshots of the whole state
  cloudlet state export FILE [--snapshot NAME] | import FILE
                                                  the state (or a snapshot) as one portable archive
  cloudlet net why SRC DST --port N [--protocol tcp|udp] [--region R] [--account ID] [--json]
                                                  why a packet does or does not arrive (exit 0 reachable, 1 not)
  cloudlet outbox [--topic T] [--protocol P] [--to ENDPOINT] [--json] [--clear]
                                                  SNS email, email-json and sms messages (the local outbox)
  cloudlet exec INSTANCE_ID [--account ID] [--region R] -- COMMAND...
                                                  run COMMAND with the instance's IMDS and role credentials
  cloudlet load set TARGET --cpu 85% | --requests 1200/s | --egress 5MB/s | --ramp A..B --over 1h | --daily --peak A --trough B
  cloudlet load list | clear TARGET [--account ID] [--region R]
                                                  simulated load (TARGET: i-..., asg:NAME, lb:NAME or an ARN)
  cloudlet cost [--account ID] [--region R] [--json]
                                                  what costs money now: per hour and month, idle resources, stop vs terminate
  cloudlet billing-alerts [on | off [--force]] [--account ID]
                                                  "receive billing alerts": AWS/Billing EstimatedCharges every 6 h
  cloudlet account-plan [free | paid | none] [--account ID]
                                                  sign the account up as new on a Free Tier plan ($100 credits), or show it
  cloudlet check                                  load every service and check its handlers against its model
  cloudlet --version

reset and state talk to the running server (--endpoint URL); with --data-dir DIR they work on
a stopped server's directory instead.

Environment: CLOUDLET_HOST, CLOUDLET_PORT, CLOUDLET_DATA_DIR, CLOUDLET_EC2_BOOT_SECONDS,
             CLOUDLET_EC2_VCPU_QUOTA, CLOUDLET_EBS_DELAY, CLOUDLET_VULN_DB (start);
             CLOUDLET_ENDPOINT (client commands; default http://127.0.0.1:4566, or --endpoint URL).
`;

function fail(msg: string): never {
  process.stderr.write(`cloudlet: ${msg}\n\n${USAGE}`);
  process.exit(2);
}

async function start(argv: string[]): Promise<void> {
  const { values } = parseArgs({
    args: argv,
    options: {
      host: { type: 'string' }, port: { type: 'string' }, 'data-dir': { type: 'string' },
      ephemeral: { type: 'boolean' }, 'log-level': { type: 'string' }, iam: { type: 'string' },
      'ec2-boot-seconds': { type: 'string' }, 'ec2-vcpu-quota': { type: 'string' }, 'vuln-db': { type: 'string' },
      ...EDGE_FLAGS, ...TLS_FLAGS,
    },
    strict: true,
  });
  const port = Number(values.port ?? process.env.CLOUDLET_PORT ?? 4566);
  if (!Number.isInteger(port) || port < 0 || port > 65535) fail(`bad port ${values.port ?? process.env.CLOUDLET_PORT}`);
  const logLevel = values['log-level'] ?? 'info';
  if (!isLogLevel(logLevel)) fail(`bad log level ${logLevel}`);
  const iam = values.iam ?? 'enforce';
  if (!['enforce', 'audit', 'off'].includes(iam)) fail(`--iam must be enforce, audit or off`);
  // EC2's timings and quota are read from the environment where they apply (compute/), so the
  // flags set it for this process.
  for (const [flag, env] of [['ec2-boot-seconds', 'CLOUDLET_EC2_BOOT_SECONDS'], ['ec2-vcpu-quota', 'CLOUDLET_EC2_VCPU_QUOTA']] as const) {
    const v = values[flag];
    if (v === undefined) continue;
    if (!/^\d+$/.test(v)) fail(`--${flag} must be a whole number`);
    process.env[env] = v;
  }
  // ECR scans read OSV records from here instead of data/vulns/osv.json (loaded on the first scan).
  const vulnDb = values['vuln-db'] ?? process.env.CLOUDLET_VULN_DB;
  if (vulnDb !== undefined && !existsSync(vulnDb)) fail(`--vuln-db ${vulnDb}: no such file or directory`);
  let edge: ReturnType<typeof edgeOptions> = {};
  try { edge = { ...edgeOptions(values, process.env), ...tlsOptions(values, process.env) }; } catch (err) { fail((err as Error).message); }
  const { startCloudlet } = await import('./server/server.js');
  const cloudlet = await startCloudlet({
    host: values.host ?? process.env.CLOUDLET_HOST ?? '127.0.0.1',
    port,
    dataDir: values['data-dir'] ?? process.env.CLOUDLET_DATA_DIR ?? '.cloudlet',
    ephemeral: values.ephemeral ?? false,
    logLevel: logLevel as LogLevel,
    iam: iam as IamMode,
    vulnDb: vulnDb === undefined ? undefined : resolve(vulnDb),
    ...edge,
  });
  const where = cloudlet.deps.dataDir ? `data ${cloudlet.deps.dataDir}` : 'ephemeral (in memory)';
  process.stdout.write(`cloudlet ${VERSION} ready on ${cloudlet.url} (${where})\n`);
  // The line LocalStack prints when it is up: testcontainers' LocalStack modules wait for it.
  process.stdout.write('Ready.\n');
  // After Ready. (tools read the two lines above as they are).
  if (cloudlet.httpsUrl) {
    const trust = cloudlet.deps.dataDir ? '`cloudlet ca` tells how to trust its certificate'
      : 'ephemeral: a new CA in a temp dir, made on the first HTTPS connection; a data directory keeps one to trust (`cloudlet ca`)';
    process.stdout.write(`HTTPS on ${cloudlet.httpsUrl}${cloudlet.tls.mode === 'only' ? ' only' : ''}; ${trust}\n`);
  }
  const stop = () => {
    cloudlet.close().then(() => process.exit(0), () => process.exit(1));
    setTimeout(() => process.exit(1), 900).unref();
  };
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
}

function endpoint(argv: string[]): { url: string; rest: string[] } {
  const i = argv.indexOf('--endpoint');
  const url = i >= 0 ? argv[i + 1] : process.env.CLOUDLET_ENDPOINT ?? 'http://127.0.0.1:4566';
  if (!url) fail('--endpoint needs a URL');
  const rest = i >= 0 ? [...argv.slice(0, i), ...argv.slice(i + 2)] : argv;
  return { url: url.replace(/\/+$/, ''), rest };
}

async function clock(argv: string[]): Promise<void> {
  const { url, rest } = endpoint(argv);
  let res: Response;
  if (rest.length === 0) res = await fetch(`${url}/_cloudlet/clock`);
  else if (rest[0] === 'advance' && rest[1] && rest.length === 2) {
    const { parseDuration } = await import('./core/clock.js');
    // Checked here too, for a usage message; the server checks the range the clock may reach.
    try { parseDuration(rest[1]); } catch (err) { fail((err as Error).message); }
    res = await post(`${url}/_cloudlet/clock`, { advance: rest[1] });
  }
  else if (rest[0] === 'reset' && rest.length === 1) res = await post(`${url}/_cloudlet/clock`, { reset: true });
  else fail('usage: cloudlet clock [advance DURATION | reset]');
  const body = (await res.json()) as { now?: string; offsetMs?: number; message?: string };
  if (!res.ok) throw new Error(body.message ?? `server answered ${res.status}`);
  process.stdout.write(`${body.now} (offset ${body.offsetMs} ms)\n`);
}

function post(url: string, body: unknown): Promise<Response> {
  return fetch(url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
}

async function reset(argv: string[]): Promise<void> {
  const { url, rest } = endpoint(argv);
  const { values, positionals } = parseArgs({
    args: rest,
    options: { account: { type: 'string' }, service: { type: 'string' }, 'keep-clock': { type: 'boolean' }, 'data-dir': { type: 'string' } },
    strict: true, allowPositionals: true,
  });
  if (positionals.length) fail('usage: cloudlet reset [--account ID] [--service NAME] [--keep-clock]');
  const opts = { account: values.account, service: values.service, keepClock: values['keep-clock'] };
  const { resetCommand } = await import('./state/cli.js');
  process.stdout.write(`${await resetCommand(opts, { url, dataDir: values['data-dir'] })}\n`);
}

async function state(argv: string[]): Promise<void> {
  const { url, rest } = endpoint(argv);
  const { values, positionals } = parseArgs({
    args: rest,
    options: { 'data-dir': { type: 'string' }, snapshot: { type: 'string' } },
    strict: true, allowPositionals: true,
  });
  const [sub, arg, extra] = positionals;
  const needsArg = ['save', 'load', 'delete', 'export', 'import'];
  const valid = (sub === 'list' && arg === undefined) || (needsArg.includes(sub ?? '') && arg !== undefined);
  if (!valid || extra !== undefined) fail('usage: cloudlet state save NAME | load NAME | list | delete NAME | export FILE [--snapshot NAME] | import FILE');
  if (values.snapshot !== undefined && sub !== 'export') fail('--snapshot goes with state export');
  const { stateCommand } = await import('./state/cli.js');
  const out = await stateCommand(sub as 'list', arg, { url, dataDir: values['data-dir'], snapshot: values.snapshot });
  process.stdout.write(`${out}\n`);
}

async function check(): Promise<void> {
  const { CATALOG } = await import('./services/catalog.js');
  const { verifyCatalog } = await import('./services/registry.js');
  for (const s of await verifyCatalog(CATALOG)) {
    process.stdout.write(`${s.service.padEnd(12)} ${String(s.handlers).padStart(4)} / ${s.operations} operations handled\n`);
  }
}

async function main(): Promise<void> {
  const [cmd, ...rest] = process.argv.slice(2);
  switch (cmd) {
    case 'start': return start(rest);
    case 'clock': return clock(rest);
    case 'reset': return reset(rest);
    case 'state': return state(rest);
    case 'check': return check();
    case 'ca': {
      const { values, positionals } = parseArgs({ args: rest, options: { 'data-dir': { type: 'string' }, port: { type: 'string' } }, strict: true, allowPositionals: true });
      if (positionals.length > 1 || (positionals[0] && !['install', 'uninstall'].includes(positionals[0]))) fail('usage: cloudlet ca [install | uninstall]');
      const { caCommand } = await import('./server/tls/ca-cli.js');
      const r = await caCommand(positionals[0], { dataDir: values['data-dir'] ?? process.env.CLOUDLET_DATA_DIR ?? '.cloudlet', port: Number(values.port ?? process.env.CLOUDLET_PORT ?? 4566) });
      process.stdout.write(`${r.out}\n`);
      process.exitCode = r.code;
      return;
    }
    case 'net': {
      const { url, rest: args } = endpoint(rest);
      const { netCommand } = await import('./net-cli.js');
      const r = await netCommand(args, url);
      process.stdout.write(r.stdout);
      process.stderr.write(r.stderr);
      process.exitCode = r.code;
      return;
    }
    case 'outbox': {
      const { url, rest: args } = endpoint(rest);
      const { outboxCommand } = await import('./services/sns/outbox-cli.js');
      const r = await outboxCommand(args, url);
      process.stdout.write(r.stdout);
      process.stderr.write(r.stderr);
      process.exitCode = r.code;
      return;
    }
    case 'exec': {
      // Not endpoint(): its options stop at `--`; what follows belongs to the command.
      const { execCommand } = await import('./exec-cli.js');
      process.exitCode = await execCommand(rest);
      return;
    }
    case 'load': {
      const r = await (await import('./services/fleet/load-cli.js')).loadCommand(rest);
      process.stdout.write(r.stdout); process.stderr.write(r.stderr); process.exitCode = r.code;
      return;
    }
    case 'cost': case 'billing-alerts': case 'account-plan': {
      const cli = await import('./cost-cli.js');
      const r = await (cmd === 'cost' ? cli.costCommand : cmd === 'billing-alerts' ? cli.billingAlertsCommand : cli.accountPlanCommand)(rest);
      process.stdout.write(r.stdout); process.stderr.write(r.stderr); process.exitCode = r.code;
      return;
    }
    case '--version': case '-v': process.stdout.write(`${VERSION}\n`); return;
    case undefined: case 'help': case '--help': case '-h': process.stdout.write(USAGE); return;
    default: fail(`unknown command ${cmd}`);
  }
}

main().catch((err: unknown) => {
  const e = err as NodeJS.ErrnoException;
  if (e?.code === 'EADDRINUSE') process.stderr.write(`cloudlet: the address is already in use (${e.message}); pick another with --port\n`);
  else if (e instanceof TypeError && e.message === 'fetch failed') process.stderr.write('cloudlet: no server answers at the endpoint; start one with `cloudlet start` or pass --endpoint URL\n');
  else process.stderr.write(`cloudlet: ${e?.message ?? String(err)}\n`);
  process.exit(1);
});
