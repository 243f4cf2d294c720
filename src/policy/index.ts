/** The IAM policy engine: parse once, evaluate many times. Pure: no I/O, no cloudlet imports. */
export { parsePolicy, type ParseOptions } from './parse.js';
export { evaluate } from './evaluate.js';
export { parseOperator } from './conditions.js';
export { PolicyError } from './types.js';
export type {
  Decision,
  Effect,
  EvaluateOptions,
  EvaluationResult,
  MatchedStatement,
  Policy,
  PolicyKind,
  PolicySet,
  PolicySource,
  PolicyVersion,
  PrincipalKind,
  PrincipalMap,
  RequestContext,
  RequestPrincipal,
  Statement,
} from './types.js';
