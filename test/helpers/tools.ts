/**
 * The one gate for tests that drive a system tool (AWS CLI, botocore, skopeo, terraform, ...):
 *   test('...', { skip: needTool('aws2') }, async () => { ... })
 * A missing tool skips the test with a reason that names it and how to install it; under CI=true or
 * CLOUDLET_REQUIRE_TOOLS=1 it throws instead, so CI cannot pass by skipping. The tool table and the
 * probes are scripts/setup-tools.mjs's, the script `npm test` runs first.
 */
import { probeTool, toolsRequired, type Probe, type ToolId } from '../../scripts/setup-tools.mjs';

export type { ToolId };

const probes = new Map<ToolId, Probe>();

function probe(id: ToolId, env: NodeJS.ProcessEnv): Probe {
  if (env !== process.env) return probeTool(id, env);
  let p = probes.get(id);
  if (!p) probes.set(id, (p = probeTool(id, env)));
  return p;
}

/** Undefined when every tool is usable; otherwise the skip reason (or, where skips are not allowed, a throw). */
export function needTool(ids: ToolId | ToolId[], env: NodeJS.ProcessEnv = process.env): string | undefined {
  const missing = [ids].flat().map((id) => probe(id, env)).filter((p) => !p.present).map((p) => p.tool);
  if (!missing.length) return undefined;
  const reason = `needs ${missing.map((t) => `${t.what} (${t.hint})`).join(' and ')}; run scripts/setup-tools.sh as root`;
  if (toolsRequired(env)) throw new Error(`${reason}. CI=true / CLOUDLET_REQUIRE_TOOLS=1 allows no skip`);
  return reason;
}

/** Where a tool is (its probe's output, e.g. the aws v1 binary on PATH), or undefined when missing. */
export function toolPath(id: ToolId, env: NodeJS.ProcessEnv = process.env): string | undefined {
  const p = probe(id, env);
  return p.present ? p.found : undefined;
}
