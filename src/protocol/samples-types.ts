import type { ServiceModel } from './models.js';

// The sample generator's public option and result shapes, apart so the generator modules
// and samples.ts share them without importing each other.

export type Direction = 'input' | 'output';
export type WireProtocol = 'query' | 'ec2' | 'rest-xml' | 'json' | 'rpc-v2-cbor' | 'rest-json';
/** The client that must serialize (input) or parse (output) the values. */
export type Carrier = 'sdk-js-v3' | 'botocore' | 'any';
export type SampleMode = 'all' | 'required' | 'random';

export interface SampleOptions {
  seed: number;
  direction: Direction;
  protocol: WireProtocol;
  carrier?: Carrier;
  /** Another model in the same format whose enum / min / max win over the model's own. */
  constraints?: ServiceModel;
  /** Structure depth past which only required members are set. */
  maxDepth?: number;
  /** Rough cap on values per sample; past it optional members stop and lists shrink. */
  maxNodes?: number;
}

export interface Sample {
  operation: string;
  direction: Direction;
  index: number;
  mode: SampleMode;
  /** Replays the case: `${seed}:${operation}:${direction}#${index}`. */
  label: string;
  value: Record<string, unknown>;
}
