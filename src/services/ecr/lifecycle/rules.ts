/**
 * ECR lifecycle policy text: parsed and checked against ECR's rule grammar (the user guide's
 * "Lifecycle policy properties" and "evaluation rules"). Structural faults are reported in the
 * JSON-schema wording ECR's validator uses; the rule constraints in ECR's terms. Every failure is
 * an InvalidParameterException "Invalid parameter at 'LifecyclePolicyText' failed to satisfy
 * constraint: 'Lifecycle policy validation failure: ...'".
 */
import { AwsError } from '../../../core/errors.js';

export type TagStatus = 'tagged' | 'untagged' | 'any';
export type CountType = 'imageCountMoreThan' | 'sinceImagePushed' | 'sinceImagePulled' | 'sinceImageTransitioned';
export type StorageClass = 'standard' | 'archive';

export interface RuleSelection {
  tagStatus: TagStatus;
  tagPrefixList?: string[];
  tagPatternList?: string[];
  /** The storage class the rule selects from ('standard' when omitted). */
  storageClass: StorageClass;
  countType: CountType;
  countUnit?: 'days';
  countNumber: number;
}

export interface LifecycleRule {
  rulePriority: number;
  description?: string;
  selection: RuleSelection;
  action: { type: 'expire' | 'transition'; targetStorageClass?: 'archive' };
}

const TAG_STATUS = ['any', 'tagged', 'untagged'];
const COUNT_TYPES = ['imageCountMoreThan', 'sinceImagePulled', 'sinceImagePushed', 'sinceImageTransitioned'];
const STORAGE_CLASSES = ['archive', 'standard'];
const ACTION_TYPES = ['expire', 'transition'];
const RULE_KEYS = ['action', 'description', 'rulePriority', 'selection'];
const SELECTION_KEYS = ['countNumber', 'countType', 'countUnit', 'storageClass', 'tagPatternList', 'tagPrefixList', 'tagStatus'];
const ACTION_KEYS = ['targetStorageClass', 'type'];
/** ECR allows at most four wildcards in one tag pattern. */
export const MAX_PATTERN_WILDCARDS = 4;
/** At most this many rules in one policy (ECR's quota "Rules per lifecycle policy"). */
export const MAX_RULES = 50;

function invalid(detail: string): AwsError {
  return new AwsError('InvalidParameterException',
    `Invalid parameter at 'LifecyclePolicyText' failed to satisfy constraint: 'Lifecycle policy validation failure: ${detail}'`);
}

function typeName(v: unknown): string {
  if (v === null) return 'null';
  if (Array.isArray(v)) return 'array';
  if (typeof v === 'number') return Number.isInteger(v) ? 'integer' : 'number';
  return typeof v;
}

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function checkKeys(obj: Record<string, unknown>, required: string[], allowed: string[]): void {
  const missing = required.filter((k) => obj[k] === undefined).sort();
  if (missing.length) throw invalid(`object has missing required properties (${JSON.stringify(missing)})`);
  const extra = Object.keys(obj).filter((k) => !allowed.includes(k)).sort();
  if (extra.length) throw invalid(`object instance has properties which are not allowed by the schema: (${JSON.stringify(extra)})`);
}

function want(v: unknown, type: 'string' | 'integer' | 'object' | 'array'): void {
  const t = typeName(v);
  if (t === type) return;
  throw invalid(`instance type (${t}) does not match any allowed primitive type (allowed: [${JSON.stringify(type)}])`);
}

function oneOf(v: unknown, values: string[]): void {
  want(v, 'string');
  if (!values.includes(v as string)) throw invalid(`instance value (${JSON.stringify(v)}) not found in enum (possible values: ${JSON.stringify(values)})`);
}

function stringList(v: unknown, name: string): string[] {
  want(v, 'array');
  const list = v as unknown[];
  if (list.length === 0) throw invalid(`array is too short: must have at least 1 elements but instance has 0 elements (${name})`);
  for (const s of list) {
    want(s, 'string');
    if ((s as string).length === 0) throw invalid(`string "" is too short (length: 0, required minimum: 1) (${name})`);
  }
  return list as string[];
}

/** The number of `*` wildcards in a tag pattern. */
export function wildcardCount(pattern: string): number {
  let n = 0;
  for (const c of pattern) if (c === '*') n++;
  return n;
}

function parseSelection(raw: unknown, priority: number): RuleSelection {
  want(raw, 'object');
  const s = raw as Record<string, unknown>;
  checkKeys(s, ['countNumber', 'countType', 'tagStatus'], SELECTION_KEYS);
  oneOf(s.tagStatus, TAG_STATUS);
  oneOf(s.countType, COUNT_TYPES);
  if (s.storageClass !== undefined) oneOf(s.storageClass, STORAGE_CLASSES);
  if (s.countUnit !== undefined) oneOf(s.countUnit, ['days']);
  want(s.countNumber, 'integer');
  const countNumber = s.countNumber as number;
  if (countNumber < 1) throw invalid(`numeric instance is lower than the required minimum (minimum: 1, found: ${countNumber})`);
  const tagStatus = s.tagStatus as TagStatus;
  const countType = s.countType as CountType;
  const storageClass = (s.storageClass ?? 'standard') as StorageClass;
  const prefixes = s.tagPrefixList === undefined ? undefined : stringList(s.tagPrefixList, 'tagPrefixList');
  const patterns = s.tagPatternList === undefined ? undefined : stringList(s.tagPatternList, 'tagPatternList');
  const rule = `The rule with rulePriority ${priority}`;

  if (tagStatus === 'tagged' && !prefixes && !patterns) {
    throw invalid(`${rule} has tagStatus 'tagged': it must specify a tagPrefixList or a tagPatternList`);
  }
  if (prefixes && patterns) throw invalid(`${rule} specifies both tagPrefixList and tagPatternList: use one of them`);
  if (tagStatus !== 'tagged' && (prefixes || patterns)) {
    throw invalid(`${rule} has tagStatus '${tagStatus}': tagPrefixList and tagPatternList are only used with tagStatus 'tagged'`);
  }
  for (const p of patterns ?? []) {
    if (wildcardCount(p) > MAX_PATTERN_WILDCARDS) {
      throw invalid(`${rule} has the tag pattern ${JSON.stringify(p)} with more than ${MAX_PATTERN_WILDCARDS} wildcards (*)`);
    }
  }
  if (countType === 'imageCountMoreThan') {
    if (s.countUnit !== undefined) throw invalid(`${rule} has countType 'imageCountMoreThan': countUnit is only used with sinceImagePushed, sinceImagePulled and sinceImageTransitioned`);
  } else if (s.countUnit === undefined) {
    throw invalid(`${rule} has countType '${countType}': it must specify countUnit 'days'`);
  }
  if (countType === 'sinceImageTransitioned' && storageClass !== 'archive') {
    throw invalid(`${rule} has countType 'sinceImageTransitioned': it must specify storageClass 'archive'`);
  }
  if (countType !== 'sinceImageTransitioned' && storageClass !== 'standard') {
    throw invalid(`${rule} has countType '${countType}': storageClass must be 'standard' (only sinceImageTransitioned selects archived images)`);
  }
  const out: RuleSelection = { tagStatus, storageClass, countType, countNumber };
  if (prefixes) out.tagPrefixList = prefixes;
  if (patterns) out.tagPatternList = patterns;
  if (s.countUnit !== undefined) out.countUnit = 'days';
  return out;
}

function parseAction(raw: unknown, priority: number, selection: RuleSelection): LifecycleRule['action'] {
  want(raw, 'object');
  const a = raw as Record<string, unknown>;
  checkKeys(a, ['type'], ACTION_KEYS);
  oneOf(a.type, ACTION_TYPES);
  if (a.targetStorageClass !== undefined) oneOf(a.targetStorageClass, ['archive']);
  const rule = `The rule with rulePriority ${priority}`;
  if (a.type === 'expire') {
    if (a.targetStorageClass !== undefined) throw invalid(`${rule} has action type 'expire': targetStorageClass is only used with action type 'transition'`);
    return { type: 'expire' };
  }
  if (a.targetStorageClass === undefined) throw invalid(`${rule} has action type 'transition': it must specify targetStorageClass 'archive'`);
  if (selection.storageClass !== 'standard') throw invalid(`${rule} has action type 'transition': it can only select images of storageClass 'standard'`);
  return { type: 'transition', targetStorageClass: 'archive' };
}

/**
 * Parses a lifecycle policy and checks every rule and the constraints between rules. Returns the
 * rules sorted by rulePriority (the order they apply in).
 */
export function parseLifecyclePolicy(text: string): LifecycleRule[] {
  let doc: unknown;
  try {
    doc = JSON.parse(text);
  } catch {
    throw invalid('Could not map policyString into LifecyclePolicy.');
  }
  if (!isObject(doc)) throw invalid('Could not map policyString into LifecyclePolicy.');
  checkKeys(doc, ['rules'], ['rules']);
  want(doc.rules, 'array');
  const rawRules = doc.rules as unknown[];
  if (rawRules.length === 0) throw invalid('array is too short: must have at least 1 elements but instance has 0 elements');
  if (rawRules.length > MAX_RULES) throw invalid(`array is too long: must have at most ${MAX_RULES} elements but instance has ${rawRules.length} elements`);

  const rules: LifecycleRule[] = [];
  const priorities = new Set<number>();
  for (const raw of rawRules) {
    want(raw, 'object');
    const r = raw as Record<string, unknown>;
    checkKeys(r, ['action', 'rulePriority', 'selection'], RULE_KEYS);
    want(r.rulePriority, 'integer');
    const priority = r.rulePriority as number;
    if (priority < 1) throw invalid(`numeric instance is lower than the required minimum (minimum: 1, found: ${priority})`);
    if (r.description !== undefined) want(r.description, 'string');
    if (priorities.has(priority)) throw invalid(`The rulePriority ${priority} is used by more than one rule: each rule must have a unique rulePriority`);
    priorities.add(priority);
    const selection = parseSelection(r.selection, priority);
    const action = parseAction(r.action, priority, selection);
    const rule: LifecycleRule = { rulePriority: priority, selection, action };
    if (r.description !== undefined) rule.description = r.description as string;
    rules.push(rule);
  }
  rules.sort((a, b) => a.rulePriority - b.rulePriority);

  // 'any' goes last among the rules of its storage class (rules of different storage classes
  // select different images: an archive rule after an 'any' transition rule is no conflict).
  for (const r of rules) {
    if (r.selection.tagStatus !== 'any') continue;
    const later = rules.filter((o) => o.selection.storageClass === r.selection.storageClass && o.rulePriority > r.rulePriority);
    if (later.length) {
      throw invalid(`The rule with rulePriority ${r.rulePriority} has tagStatus 'any': it must have the highest rulePriority in the policy (${later[later.length - 1]!.rulePriority} is higher)`);
    }
  }
  // Only one rule may select untagged images (per storage class and action: a transition rule
  // and an expire rule for archived images are different selections).
  const untagged = new Map<string, number>();
  for (const r of rules) {
    if (r.selection.tagStatus !== 'untagged') continue;
    const key = `${r.selection.storageClass}/${r.action.type}`;
    const prior = untagged.get(key);
    if (prior !== undefined) {
      throw invalid(`The rules with rulePriority ${prior} and ${r.rulePriority} both select untagged images: only one rule may select untagged images`);
    }
    untagged.set(key, r.rulePriority);
  }
  return rules;
}

/** Whether a tag matches a lifecycle tag pattern (`*` matches any run of characters, the rest literally). */
export function tagMatchesPattern(tag: string, pattern: string): boolean {
  const parts = pattern.split('*');
  if (parts.length === 1) return tag === pattern;
  const first = parts[0]!;
  const lastPart = parts[parts.length - 1]!;
  if (!tag.startsWith(first)) return false;
  let pos = first.length;
  for (let i = 1; i < parts.length - 1; i++) {
    const at = tag.indexOf(parts[i]!, pos);
    if (at < 0) return false;
    pos = at + parts[i]!.length;
  }
  return tag.length - pos >= lastPart.length && tag.endsWith(lastPart);
}
