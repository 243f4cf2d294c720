import type { ServiceModel } from './models.js';
import type { Shape } from './model-types.js';
import { Rng, deriveSeed } from './samples-rng.js';
import type { Place } from './samples-text.js';
import { Generator } from './samples-generator.js';
import type { Sample, SampleMode, SampleOptions } from './samples-types.js';

export { Rng, deriveSeed } from './samples-rng.js';
export type { Place } from './samples-text.js';
// Callers import everything from here; the parts live in the samples-*.ts modules.
export type { Carrier, Direction, Sample, SampleMode, SampleOptions, WireProtocol } from './samples-types.js';
export { RESTRICTIONS, type Restriction } from './samples-restrictions.js';

/**
 * Model-driven sample values: for any operation, inputs and outputs that exercise every kind
 * of shape (strings, every integer width at its bounds, floats, booleans, timestamps in each
 * wire format, blobs, empty / flattened lists, maps, nested structures, unions), seeded so that
 * a case replays from (seed, operation, index) alone.
 *
 * Values are the codec value conventions (codec.ts): Date, Buffer, number, boolean, string,
 * arrays, plain objects keyed by member name. They are restricted to what the wire between an
 * official client and cloudlet can actually carry; every such restriction is listed in
 * RESTRICTIONS with its reason, and nothing is restricted silently.
 *
 * Constraints: values honour the model's own enum / min / max (the vendored botocore models carry
 * them). `constraints` may name another model in the same format (e.g. the installed botocore's):
 * it is walked in parallel, member by member, and its enum / min / max win. Patterns are not
 * honoured, so a generated value may break one: runs that feed samples to the codec turn its
 * value checks off (codecFor's `constraints: false`).
 */

function modeOf(index: number): SampleMode {
  return index === 0 ? 'all' : index === 1 ? 'required' : 'random';
}

/** Case `index` of an operation's inputs or outputs: 0 sets every member, 1 only required ones, 2+ random subsets. */
export function sampleFor(model: ServiceModel, operation: string, index: number, opts: SampleOptions): Sample {
  const op = model.operation(operation);
  if (!op) throw new Error(`no operation ${operation}`);
  const label = `${opts.seed}:${operation}:${opts.direction}#${index}`;
  const rng = new Rng(deriveSeed(opts.seed, `${operation}:${opts.direction}#${index}`));
  const mode = modeOf(index);
  const cop = opts.constraints?.operation(operation);
  const value = new Generator(model, opts, rng, mode).top(op, cop);
  return { operation, direction: opts.direction, index, mode, label, value };
}

export function operationSamples(model: ServiceModel, operation: string, cases: number, opts: SampleOptions): Sample[] {
  const out: Sample[] = [];
  for (let i = 0; i < cases; i++) out.push(sampleFor(model, operation, i, opts));
  return out;
}

/** A value for one shape, outside any operation (tests, fuzzers). */
export function sampleShape(model: ServiceModel, ref: Shape, opts: SampleOptions & { mode?: SampleMode; place?: Place }): unknown {
  const rng = new Rng(opts.seed);
  return new Generator(model, opts, rng, opts.mode ?? 'random').value(ref, undefined, { place: opts.place ?? 'json', depth: 0, stack: [] });
}
