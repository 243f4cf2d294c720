#!/usr/bin/env node
// The system tools the tests and the bench drive (real clients, not npm packages), in one table
// that both this script and test/helpers/tools.ts read. Run as root it installs what apt can
// provide; otherwise it prints what to install, and the tests that need a missing tool skip
// with the reason, except under CI=true or CLOUDLET_REQUIRE_TOOLS=1, where a missing tool fails.
// Plain JavaScript with no dependencies: CI runs it before `npm ci`.
import { spawnSync } from 'node:child_process';
import { pathToFileURL } from 'node:url';

/**
 * `probe` is a shell command that exits 0 and prints where the tool is (or its version) when the
 * tool is usable; `apt` names the Debian package that provides it, where one does.
 */
export const TOOLS = [
  {
    id: 'aws1', what: 'AWS CLI v1 on PATH', apt: null, hint: 'python3 -m pip install awscli',
    probe: 'for b in $(which -a aws); do [ "$b" = /usr/bin/aws ] && continue; case "$("$b" --version 2>&1)" in aws-cli/1.*) echo "$b"; exit 0;; esac; done; exit 1',
  },
  {
    // Debian's awscli package is the CLI v2 (2.9 in bookworm), installed as /usr/bin/aws.
    id: 'aws2', what: 'AWS CLI v2 at /usr/bin/aws', apt: 'awscli', hint: 'apt-get install -y awscli',
    probe: 'case "$(/usr/bin/aws --version 2>&1)" in aws-cli/2.*) echo /usr/bin/aws;; *) exit 1;; esac',
  },
  {
    // The python3 on PATH, which is the one the tests run; 1.40+ speaks RPC v2 CBOR.
    id: 'botocore', what: 'python3 with botocore 1.40+ (RPC v2 CBOR)', apt: null, hint: "python3 -m pip install 'botocore>=1.40'",
    probe: 'python3 -c \'import botocore, botocore.serialize as s; assert "smithy-rpc-v2-cbor" in s.SERIALIZERS; print(botocore.__version__)\'',
  },
  {
    id: 'boto3', what: 'python3 with boto3', apt: null, hint: 'python3 -m pip install boto3',
    probe: 'python3 -c \'import boto3; print(boto3.__version__)\'',
  },
  { id: 'skopeo', what: 'skopeo', apt: 'skopeo', hint: 'apt-get install -y skopeo', probe: 'command -v skopeo' },
  { id: 'umoci', what: 'umoci', apt: 'umoci', hint: 'apt-get install -y umoci', probe: 'command -v umoci' },
  { id: 'wrk', what: 'wrk (npm run bench)', apt: 'wrk', hint: 'apt-get install -y wrk', probe: 'command -v wrk' },
  // The registry bench's peer (npm run bench): CNCF distribution 2.8, run on 127.0.0.1 by the bench
  // only. On a systemd host the package enables and starts a registry on :5000 (all interfaces):
  // when this script installed it, it stops and disables that service again.
  {
    id: 'docker-registry', what: 'docker-registry (CNCF distribution; npm run bench)', apt: 'docker-registry', hint: 'apt-get install -y docker-registry', probe: 'command -v docker-registry',
    afterInstall: 'if command -v systemctl >/dev/null && [ -d /run/systemd/system ]; then systemctl disable --now docker-registry.service; fi',
  },
  // The Docker engine for the docker push/pull test (test/e2e/ecr-docker.test.ts), which runs its
  // own dockerd as root in a private mount namespace (vfs storage, no bridge, no containers, every
  // path in a temp dir). On a systemd host the package enables and starts docker.service: when
  // this script installed it, it stops and disables that again.
  {
    id: 'dockerd', what: 'dockerd, the Docker engine (docker.io), run as root', apt: 'docker.io', hint: 'apt-get install -y docker.io (the test starts its own engine, which needs root)',
    probe: 'test "$(id -u)" = 0 && command -v dockerd && command -v docker && command -v unshare',
    afterInstall: 'if command -v systemctl >/dev/null && [ -d /run/systemd/system ]; then systemctl disable --now docker.service docker.socket; fi',
  },
  // Key material checks of the EC2 key pair tests (keys CreateKeyPair returns, fingerprints).
  { id: 'ssh-keygen', what: 'ssh-keygen', apt: 'openssh-client', hint: 'apt-get install -y openssh-client', probe: 'command -v ssh-keygen' },
  { id: 'openssl', what: 'openssl', apt: 'openssl', hint: 'apt-get install -y openssl', probe: 'command -v openssl' },
  { id: 'puttygen', what: 'puttygen', apt: 'putty-tools', hint: 'apt-get install -y putty-tools', probe: 'command -v puttygen' },
  {
    // HashiCorp's release binary (Debian ships no terraform) and the AWS provider in the local
    // mirror the tests point terraform at (they fetch nothing): detected, never installed here.
    id: 'terraform', what: 'terraform with the hashicorp/aws provider in /opt/tf-plugins', apt: null,
    hint: 'install the release binary from https://developer.hashicorp.com/terraform/install as /usr/local/bin/terraform, and `terraform providers mirror /opt/tf-plugins` for hashicorp/aws',
    probe: 'command -v terraform && test -d /opt/tf-plugins/registry.terraform.io/hashicorp/aws',
  },
];

/** CI allows no skip: a missing tool is a failure there. */
export function toolsRequired(env = process.env) {
  return env.CI === 'true' || env.CI === '1' || env.CLOUDLET_REQUIRE_TOOLS === '1';
}

/**
 * Whether a tool is usable, and where. CLOUDLET_TOOLS_ABSENT=aws2,skopeo makes those look missing,
 * to see what a machine without them gets.
 */
export function probeTool(id, env = process.env) {
  const tool = TOOLS.find((t) => t.id === id);
  if (!tool) throw new Error(`unknown tool '${id}'; known: ${TOOLS.map((t) => t.id).join(', ')}`);
  if ((env.CLOUDLET_TOOLS_ABSENT ?? '').split(',').includes(id)) return { tool, present: false, found: '' };
  const r = spawnSync('sh', ['-c', tool.probe], { encoding: 'utf8', timeout: 30_000 });
  return { tool, present: r.status === 0, found: (r.stdout ?? '').trim().split('\n')[0] ?? '' };
}

function aptInstall(packages) {
  const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
  for (const args of [['update', '-qq'], ['install', '-y', '-qq', '--no-install-recommends', ...packages]]) {
    const r = spawnSync('apt-get', args, { env, encoding: 'utf8' });
    if (r.status !== 0) {
      console.error(`setup-tools: apt-get ${args.join(' ')} failed (${r.error?.message ?? `exit ${r.status}`}):\n${`${r.stdout ?? ''}${r.stderr ?? ''}`.slice(-2000)}`);
      return false;
    }
  }
  return true;
}

function main() {
  let missing = TOOLS.map((t) => probeTool(t.id)).filter((p) => !p.present).map((p) => p.tool);
  const packages = missing.flatMap((t) => (t.apt ? [t.apt] : []));
  const root = process.getuid?.() === 0;
  if (packages.length && root && !process.env.CLOUDLET_TOOLS_ABSENT) {
    if (aptInstall(packages)) {
      missing = missing.filter((t) => !probeTool(t.id).present);
      const installed = packages.filter((p) => !missing.some((t) => t.apt === p));
      for (const t of TOOLS.filter((x) => x.afterInstall && installed.includes(x.apt))) spawnSync('sh', ['-c', t.afterInstall], { stdio: 'inherit', timeout: 60_000 });
      if (installed.length) console.log(`setup-tools: installed with apt-get: ${installed.join(' ')}`);
    }
  }
  if (!missing.length) {
    console.log(`setup-tools: all ${TOOLS.length} system tools present (${TOOLS.map((t) => t.id).join(', ')})`);
    return 0;
  }
  const required = toolsRequired();
  console.log(`setup-tools: missing ${missing.map((t) => t.what).join('; ')}`);
  for (const t of missing) console.log(`  ${t.id}: ${t.apt && !root ? `as root: ${t.hint}` : t.hint}`);
  console.log(required
    ? 'setup-tools: CI / CLOUDLET_REQUIRE_TOOLS=1 allows no skip: the tests that need these will fail'
    : 'setup-tools: the tests that need these are skipped, each naming the tool');
  return required ? 1 : 0;
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) process.exit(main());
