/**
 * Places where cloudlet's model data (the vendored botocore models with models/overlays/ applied)
 * disagrees with the installed botocore's model about how a member is serialized: an overlay's
 * correction, or a refresh that is behind or ahead of the installed botocore. A failure at such
 * a path is a model-data defect, not a codec bug: it is reported in its own column with the
 * disagreement. Example: EC2's InferenceAcceleratorInfo.Accelerators, whose item name models/
 * overlays/ec2-2016-11-15.json moves onto the list member; the JS SDK v3 reads those items as
 * <member> where EC2 and botocore use <item>. (With aws-sdk v2's minified models the same list
 * was written under <item> instead of <accelerators>.)
 */
import type { ServiceModel } from '../../src/protocol/models.js';
import type { Shape } from '../../src/protocol/model-types.js';
import type { Failure, TargetReport } from './report.js';

const TRAITS = ['locationName', 'queryName', 'flattened', 'xmlAttribute', 'location', 'timestampFormat'] as const;

export type Defects = Map<string, string>;

const cache = new WeakMap<ServiceModel, Defects>();

/** `${operation}:${direction}:${path}` (indices stripped) -> what disagrees. */
export function modelDefects(ours: ServiceModel, theirs: ServiceModel | undefined): Defects {
  const hit = cache.get(ours);
  if (hit) return hit;
  const out: Defects = new Map();
  cache.set(ours, out);
  if (!theirs) return out;
  const walk = (a: Shape, b: Shape, key: string, depth: number) => {
    if (depth > 14) return;
    const x = ours.resolve(a);
    const y = theirs.resolve(b);
    for (const t of TRAITS) {
      if (JSON.stringify(x[t]) !== JSON.stringify(y[t])) out.set(key, `${t} is ${JSON.stringify(x[t])} in cloudlet's model, ${JSON.stringify(y[t])} in the service model`);
    }
    if (x.type === 'structure' && y.members) {
      for (const [k, r] of Object.entries(x.members ?? {})) {
        if (Object.hasOwn(y.members, k)) walk(r, y.members[k]!, key.endsWith(':') ? `${key}${k}` : `${key}.${k}`, depth + 1);
      }
    } else if (x.type === 'list' && y.member && x.member) walk(x.member, y.member, key, depth + 1);
    else if (x.type === 'map' && y.value && x.value) walk(x.value, y.value, key, depth + 1);
  };
  for (const name of ours.operationNames) {
    const a = ours.operation(name)!;
    const b = theirs.operation(name);
    if (!b) continue;
    if (a.input && b.input) walk(a.input, b.input, `${name}:input:`, 0);
    if (a.output && b.output) walk(a.output, b.output, `${name}:output:`, 0);
  }
  return out;
}

/** Moves failures that sit on a model-data defect into report.modelDefects. */
export function classifyDefects(report: TargetReport, defects: Defects): void {
  if (defects.size === 0) return;
  const keep: Failure[] = [];
  for (const f of report.failures) {
    const dir = f.direction === 'request' ? 'input' : 'output';
    const bare = f.path.replace(/\[(\d+|"(?:[^"\\]|\\.)*")\]/g, '');
    let why: string | undefined;
    for (const [k, v] of defects) {
      const [op, d, p] = k.split(':') as [string, string, string];
      if (op === f.operation && d === dir && (bare === p || bare.startsWith(`${p}.`))) why = v;
    }
    if (why) report.modelDefects.push({ ...f, detail: `${f.detail} [model data: ${why}]` });
    else keep.push(f);
  }
  report.failures = keep;
}

/**
 * Two operations whose requests are identical on the wire: same method and request URI
 * (ignoring the x-id hint, which botocore does not send). S3's deprecated GetBucketLifecycle /
 * PutBucketNotification ... share a URI with their replacements, and ListDirectoryBuckets is
 * ListBuckets sent to the S3 Express control endpoint. No server can tell them apart.
 */
export function wireAliases(model: ServiceModel, a: string, b: string): boolean {
  const uri = (op: string) => {
    const http = model.operation(op)?.http;
    return `${(http?.method ?? 'POST').toUpperCase()} ${(http?.requestUri ?? '/').replace(/[?&]x-id=[^&]*/, '')}`;
  };
  return model.metadata.protocol === 'rest-xml' && a !== b && uri(a) === uri(b);
}

/** Records (once) that an operation's requests resolve as its wire-identical twin. */
export function aliased(report: TargetReport, operation: string, resolved: string): void {
  if (report.unsupported.some((u) => u.operation === operation && u.direction === 'request')) return;
  report.unsupported.push({
    operation, direction: 'request',
    why: `wire-identical to ${resolved} (same method and URI, no x-id hint); cloudlet resolves it as ${resolved}`,
  });
}
