/**
 * Lifecycle configurations: PutBucketLifecycleConfiguration's checks (S3's codes and messages),
 * and the pure date arithmetic that says what a rule does to one version or upload, and when.
 *
 * S3 reckons every day-count from the object's creation (or the time a version became
 * noncurrent, or an upload's initiation) plus N days, rounded up to the next midnight UTC: an
 * object made 15 Jan 10:30 UTC under a 3-day rule is due 19 Jan 00:00 UTC. Everything here is
 * a function of stored timestamps and `now`, so moving the clock a year is one evaluation, not
 * a simulation of each day.
 */
import { randomUUID } from 'node:crypto';
import type { LifecycleRule } from '@aws-sdk/client-s3';
import { AwsError } from '../../core/errors.js';

export const DAY_MS = 86_400_000;
export const MAX_RULES = 1000;
const MAX_ID = 255;
const MAX_FILTER_SIZE = 1_099_511_627_776_000;
/** Below this size nothing transitions by default (x-amz-transition-default-minimum-object-size). */
export const SMALL_OBJECT = 128 * 1024;
export const DEFAULT_MINIMUM_SIZE = 'all_storage_classes_128K';
const MINIMUM_SIZES = new Set(['all_storage_classes_128K', 'varies_by_storage_class']);

/** The transition waterfall, warmest first: lifecycle only moves objects down it. */
const WATERFALL = ['STANDARD', 'STANDARD_IA', 'INTELLIGENT_TIERING', 'ONEZONE_IA', 'GLACIER_IR', 'GLACIER', 'DEEP_ARCHIVE'];
const TRANSITION_CLASSES = new Set(WATERFALL.slice(1));
const INFREQUENT = new Set(['STANDARD_IA', 'ONEZONE_IA']);
/** Days an object must stay in a class before a later transition takes it further down. */
const MIN_STAY: Record<string, number> = { STANDARD_IA: 30, ONEZONE_IA: 30, GLACIER_IR: 90, GLACIER: 90 };

export const rank = (storageClass: string): number => {
  const i = WATERFALL.indexOf(storageClass);
  return i < 0 ? 0 : i;
};

/** The stored configuration: the rules in their input shape (IDs filled in, dates as ISO text). */
export interface StoredLifecycle {
  Rules: StoredRule[];
  TransitionDefaultMinimumObjectSize: string;
}

export type StoredRule = Omit<LifecycleRule, 'Expiration' | 'Transitions'> & {
  ID: string;
  Expiration?: { Date?: string; Days?: number; ExpiredObjectDeleteMarker?: boolean };
  Transitions?: Array<{ Date?: string; Days?: number; StorageClass?: string }>;
};

const malformed = (): AwsError => new AwsError('MalformedXML', 'The XML you provided was not well-formed or did not validate against our published schema', 400);
const invalidRequest = (message: string): AwsError => new AwsError('InvalidRequest', message, 400);
const invalidArgument = (message: string, name?: string, value?: unknown): AwsError =>
  new AwsError('InvalidArgument', message, 400, name === undefined ? {} : { fields: { ArgumentName: name, ArgumentValue: String(value) } });

/** How S3 names a rule's filter in its messages: '(prefix=logs/ and tag={key=a, value=b})', '()' for an empty one. */
export function filterText(rule: LifecycleRule): string {
  if (rule.Filter === undefined) return `(prefix=${rule.Prefix ?? ''})`;
  const f = rule.Filter;
  const node = f.And ?? f;
  const parts: string[] = [];
  if (node.Prefix !== undefined) parts.push(`prefix=${node.Prefix}`);
  const tags = f.And ? f.And.Tags ?? [] : f.Tag ? [f.Tag] : [];
  for (const t of tags) parts.push(`tag={key=${t.Key ?? ''}, value=${t.Value ?? ''}}`);
  if (node.ObjectSizeGreaterThan !== undefined) parts.push(`objectsizegreaterthan=${node.ObjectSizeGreaterThan}`);
  if (node.ObjectSizeLessThan !== undefined) parts.push(`objectsizelessthan=${node.ObjectSizeLessThan}`);
  return `(${parts.join(' and ')})`;
}

const isMidnight = (d: Date): boolean => d.getTime() % DAY_MS === 0;

function checkDate(d: unknown): string {
  if (!(d instanceof Date) || Number.isNaN(d.getTime())) throw malformed();
  if (!isMidnight(d)) throw invalidArgument("'Date' must be at midnight GMT", 'Date', d.toISOString());
  return d.toISOString();
}

const isInt = (n: unknown): n is number => typeof n === 'number' && Number.isInteger(n);

/**
 * Checks a configuration as S3 does and returns it as stored. The first fault found is the
 * answer: the number of rules and their IDs, then each rule in order.
 */
export function checkLifecycle(rules: LifecycleRule[] | undefined, minimumSize: string | undefined): StoredLifecycle {
  if (minimumSize !== undefined && !MINIMUM_SIZES.has(minimumSize)) throw invalidRequest('Invalid TransitionDefaultMinimumObjectSize found');
  if (!rules || rules.length === 0) throw malformed();
  if (rules.length > MAX_RULES) throw invalidArgument('The number of lifecycle rules must not exceed the allowed limit of 1000 rules.');
  const ids = new Set<string>();
  for (const r of rules) {
    if (r.ID === undefined || r.ID === '') continue;
    if (r.ID.length > MAX_ID) throw invalidArgument('ID length should not exceed allowed limit of 255', 'ID', r.ID);
    if (ids.has(r.ID)) throw invalidArgument('Rule ID must be unique. Found same ID for more than one rule', 'ID', r.ID);
    ids.add(r.ID);
  }
  const v2 = rules[0]!.Filter !== undefined;
  const stored = rules.map((r) => checkRule(r, v2));
  if (!v2) checkOverlaps(rules);
  return { Rules: stored, TransitionDefaultMinimumObjectSize: minimumSize ?? DEFAULT_MINIMUM_SIZE };
}

function checkRule(r: LifecycleRule, v2: boolean): StoredRule {
  if (r.Status !== 'Enabled' && r.Status !== 'Disabled') throw malformed();
  if (r.Filter === undefined && r.Prefix === undefined) throw malformed();
  if (r.Filter !== undefined && r.Prefix !== undefined) throw malformed();
  if (v2 && r.Prefix !== undefined) throw invalidRequest('Base level prefix cannot be used in Lifecycle V2, prefixes are only supported in the Filter.');
  if (!v2 && r.Filter !== undefined) throw invalidRequest('Filter element can only be used in Lifecycle V2.');
  const { tags, sizes } = checkFilter(r);
  const transitions = r.Transitions ?? [];
  const noncurrentTransitions = r.NoncurrentVersionTransitions ?? [];
  if (!r.Expiration && transitions.length === 0 && noncurrentTransitions.length === 0 && !r.NoncurrentVersionExpiration && !r.AbortIncompleteMultipartUpload) {
    throw invalidRequest('At least one action needs to be specified in a rule');
  }
  const where = filterText(r);
  const out: StoredRule = { ...r, ID: r.ID || Buffer.from(randomUUID()).toString('base64') } as StoredRule;
  const e = r.Expiration;
  if (e) {
    const given = [e.Date !== undefined, e.Days !== undefined, e.ExpiredObjectDeleteMarker !== undefined].filter(Boolean).length;
    if (given !== 1) throw malformed();
    if (e.Days !== undefined && (!isInt(e.Days) || e.Days <= 0)) throw invalidArgument("'Days' for Expiration action must be a positive integer", 'Days', e.Days);
    if (e.ExpiredObjectDeleteMarker !== undefined && tags) throw invalidRequest('ExpiredObjectDeleteMarker cannot be specified with Tags.');
    if (e.ExpiredObjectDeleteMarker !== undefined && sizes) throw invalidRequest('ExpiredObjectDeleteMarker cannot be specified with Object Size.');
    out.Expiration = e.Date !== undefined ? { Date: checkDate(e.Date) } : { ...e } as StoredRule['Expiration'];
  }
  const nve = r.NoncurrentVersionExpiration;
  if (nve) {
    if (nve.NoncurrentDays === undefined) throw malformed();
    if (!isInt(nve.NoncurrentDays) || nve.NoncurrentDays <= 0) throw invalidArgument("'NoncurrentDays' for NoncurrentVersionExpiration action must be a positive integer", 'NoncurrentDays', nve.NoncurrentDays);
    checkNewer(nve.NewerNoncurrentVersions, v2, 'NoncurrentVersionExpiration');
  }
  const abort = r.AbortIncompleteMultipartUpload;
  if (abort) {
    if (abort.DaysAfterInitiation === undefined) throw malformed();
    if (!isInt(abort.DaysAfterInitiation) || abort.DaysAfterInitiation <= 0) {
      throw invalidArgument("'DaysAfterInitiation' for AbortIncompleteMultipartUpload action must be a positive integer", 'DaysAfterInitiation', abort.DaysAfterInitiation);
    }
    if (tags) throw invalidRequest('AbortIncompleteMultipartUpload cannot be specified with Tags.');
    if (sizes) throw invalidRequest('AbortIncompleteMultipartUpload cannot be specified with Object Size.');
  }
  // Transitions of current versions: Days or Date, a class S3 transitions to, the waterfall's order and gaps.
  const seen = new Set<string>();
  let dated = false;
  let counted = false;
  const stored: NonNullable<StoredRule['Transitions']> = [];
  for (const t of transitions) {
    const cls = transitionClass(t.StorageClass);
    if ((t.Date === undefined) === (t.Days === undefined)) throw malformed();
    if (t.Days !== undefined) {
      if (!isInt(t.Days) || t.Days < 0) throw invalidArgument("'Days' in Transition action must be nonnegative", 'Days', t.Days);
      if (INFREQUENT.has(cls) && t.Days < 30) throw invalidArgument(`'Days' in Transition action must be greater than or equal to 30 for storageClass '${cls}'`, 'Days', t.Days);
      counted = true;
      stored.push({ Days: t.Days, StorageClass: cls });
    } else {
      dated = true;
      stored.push({ Date: checkDate(t.Date), StorageClass: cls });
    }
    if (seen.has(cls)) throw invalidRequest(`'StorageClass' must be different for 'Transition' actions in same 'Rule' with filter '${where}'`);
    seen.add(cls);
  }
  if (dated && counted) throw invalidRequest(`Found mixed 'Date' and 'Days' based Transition actions in lifecycle rule for filter '${where}'`);
  if (transitions.length) out.Transitions = stored;
  checkOrder(stored.map((t) => ({ cls: t.StorageClass!, at: t.Days ?? Date.parse(t.Date!) / DAY_MS })), dated ? 'Date' : 'Days', 'Transition', where);
  if (e && (e.Days !== undefined || e.Date !== undefined) && stored.length) {
    if ((e.Date !== undefined) !== dated) throw invalidRequest(`Found mixed 'Date' and 'Days' based Expiration and Transition actions in lifecycle rule for filter '${where}'`);
    const field = dated ? 'Date' : 'Days';
    const exp = e.Days ?? (e.Date as Date).getTime() / DAY_MS;
    if (stored.some((t) => exp <= (t.Days ?? Date.parse(t.Date!) / DAY_MS))) {
      throw invalidArgument(`'${field}' in the Expiration action for filter '${where}' must be greater than '${field}' in the Transition action`, field, dated ? out.Expiration!.Date : e.Days);
    }
  }
  // Transitions of noncurrent versions.
  const seenNc = new Set<string>();
  for (const t of noncurrentTransitions) {
    const cls = transitionClass(t.StorageClass);
    if (t.NoncurrentDays === undefined) throw malformed();
    if (!isInt(t.NoncurrentDays) || t.NoncurrentDays < 0) throw invalidArgument("'NoncurrentDays' in NoncurrentVersionTransition action must be nonnegative", 'NoncurrentDays', t.NoncurrentDays);
    if (INFREQUENT.has(cls) && t.NoncurrentDays < 30) {
      throw invalidArgument(`'NoncurrentDays' in NoncurrentVersionTransition action must be greater than or equal to 30 for storageClass '${cls}'`, 'NoncurrentDays', t.NoncurrentDays);
    }
    checkNewer(t.NewerNoncurrentVersions, v2, 'NoncurrentVersionTransition');
    if (seenNc.has(cls)) throw invalidRequest(`'StorageClass' must be different for 'NoncurrentVersionTransition' actions in same 'Rule' with filter '${where}'`);
    seenNc.add(cls);
  }
  checkOrder(noncurrentTransitions.map((t) => ({ cls: t.StorageClass!, at: t.NoncurrentDays! })), 'NoncurrentDays', 'NoncurrentVersionTransition', where);
  if (nve && noncurrentTransitions.some((t) => nve.NoncurrentDays! <= t.NoncurrentDays!)) {
    throw invalidArgument(`'NoncurrentDays' in the NoncurrentVersionExpiration action for filter '${where}' must be greater than 'NoncurrentDays' in the NoncurrentVersionTransition action`, 'NoncurrentDays', nve.NoncurrentDays);
  }
  return out;
}

function transitionClass(cls: string | undefined): string {
  if (cls === 'STANDARD' || cls === 'REDUCED_REDUNDANCY') throw invalidArgument('Invalid target Storage class for Transition action', 'StorageClass', cls);
  if (cls === undefined || !TRANSITION_CLASSES.has(cls)) throw malformed();
  return cls;
}

function checkNewer(n: number | undefined, v2: boolean, action: string): void {
  if (n === undefined) return;
  if (!v2) throw invalidRequest('NewerNoncurrentVersions element can only be used in Lifecycle V2.');
  if (!isInt(n) || n <= 0) throw invalidArgument(`'NewerNoncurrentVersions' for ${action} action must be a positive integer`, 'NewerNoncurrentVersions', n);
}

/** Colder classes come later, with at least the warmer class's minimum stay between them. */
function checkOrder(items: Array<{ cls: string; at: number }>, field: string, action: string, where: string): void {
  const sorted = [...items].sort((a, b) => rank(a.cls) - rank(b.cls));
  for (let i = 1; i < sorted.length; i++) {
    const warm = sorted[i - 1]!;
    const cold = sorted[i]!;
    const gap = cold.at - warm.at;
    if (gap <= 0) {
      throw invalidArgument(`'${field}' in the '${action}' action for StorageClass '${cold.cls}' for filter '${where}' must be greater than '${field}' in the '${action}' action for StorageClass '${warm.cls}' for filter '${where}'`);
    }
    const min = MIN_STAY[warm.cls] ?? 0;
    if (gap < min) {
      throw invalidArgument(`'${field}' in the '${action}' action for StorageClass '${cold.cls}' for filter '${where}' must be ${min} days more than 'filter '${where}'' in the '${action}' action for StorageClass '${warm.cls}'`);
    }
  }
}

/** A filter holds exactly one of its members, an And two or more; sizes in range, tag keys unique. */
function checkFilter(r: LifecycleRule): { tags: boolean; sizes: boolean } {
  const f = r.Filter;
  if (!f) return { tags: false, sizes: false };
  const members = [f.Prefix, f.Tag, f.ObjectSizeGreaterThan, f.ObjectSizeLessThan, f.And].filter((m) => m !== undefined).length;
  if (members > 1) throw malformed();
  const node = f.And ?? f;
  const tags = f.And ? f.And.Tags ?? [] : f.Tag ? [f.Tag] : [];
  if (f.And) {
    const predicates = tags.length + [node.Prefix, node.ObjectSizeGreaterThan, node.ObjectSizeLessThan].filter((m) => m !== undefined).length;
    if (predicates < 2) throw malformed();
  }
  const keys = new Set<string>();
  for (const t of tags) {
    if (t.Key === undefined || t.Value === undefined) throw malformed();
    if (t.Key.length < 1 || t.Key.length > 128) throw invalidRequest("A Tag's Key must be a length between 1 and 128.");
    if (t.Value.length > 256) throw invalidRequest("A Tag's Value must be a length between 0 and 256.");
    if (keys.has(t.Key)) throw invalidRequest('Duplicate Tag Keys are not allowed.');
    keys.add(t.Key);
  }
  const gt = node.ObjectSizeGreaterThan;
  const lt = node.ObjectSizeLessThan;
  if (gt !== undefined && (gt < 0 || gt > MAX_FILTER_SIZE)) throw invalidRequest(`'ObjectSizeGreaterThan' should be between 0 and ${MAX_FILTER_SIZE}.`);
  if (lt !== undefined && (lt < 1 || lt > MAX_FILTER_SIZE)) throw invalidRequest(`'ObjectSizeLessThan' should be between 1 and ${MAX_FILTER_SIZE}.`);
  if (gt !== undefined && lt !== undefined && gt >= lt) throw invalidRequest("'ObjectSizeLessThan' has to be a value greater than 'ObjectSizeGreaterThan'.");
  return { tags: tags.length > 0, sizes: gt !== undefined || lt !== undefined };
}

/** Before Lifecycle V2, two rules whose prefixes overlap may not take the same kind of action. */
function checkOverlaps(rules: LifecycleRule[]): void {
  const kinds: Array<[string, (r: LifecycleRule) => boolean]> = [
    ['Expiration', (r) => r.Expiration !== undefined],
    ['Transition', (r) => (r.Transitions?.length ?? 0) > 0],
    ['NoncurrentVersionTransition', (r) => (r.NoncurrentVersionTransitions?.length ?? 0) > 0],
    ['NoncurrentVersionExpiration', (r) => r.NoncurrentVersionExpiration !== undefined],
    ['AbortIncompleteMultipartUpload', (r) => r.AbortIncompleteMultipartUpload !== undefined],
  ];
  for (const [kind, takes] of kinds) {
    const prefixes = rules.filter(takes).map((r) => r.Prefix ?? '').sort();
    for (let i = 1; i < prefixes.length; i++) {
      if (prefixes[i]!.startsWith(prefixes[i - 1]!)) {
        throw invalidRequest(`Found overlapping prefixes '${prefixes[i - 1]}' and '${prefixes[i]}' for same action type '${kind}'`);
      }
    }
  }
}

// ---------------------------------------------------------------------------------------------
// The rule maths.

/** The midnight UTC after `ms` (strictly after: midnight itself rounds to the next one). */
export const nextMidnight = (ms: number): number => Math.floor(ms / DAY_MS) * DAY_MS + DAY_MS;

/** When an N-day action falls due for something that started at `fromMs`. */
export const dueAfterDays = (fromMs: number, days: number): number => nextMidnight(fromMs + days * DAY_MS);

/** What a rule is matched against. */
export interface Subject {
  key: string;
  size: number;
  tags?: Record<string, string>;
}

/** Whether an enabled rule's filter takes this object. */
export function ruleMatches(rule: StoredRule, s: Subject): boolean {
  if (rule.Status !== 'Enabled') return false;
  if (rule.Filter === undefined) return s.key.startsWith(rule.Prefix ?? '');
  const f = rule.Filter;
  const node = f.And ?? f;
  if (node.Prefix !== undefined && !s.key.startsWith(node.Prefix)) return false;
  const tags = f.And ? f.And.Tags ?? [] : f.Tag ? [f.Tag] : [];
  for (const t of tags) if (s.tags?.[t.Key!] !== t.Value) return false;
  if (node.ObjectSizeGreaterThan !== undefined && !(s.size > node.ObjectSizeGreaterThan)) return false;
  if (node.ObjectSizeLessThan !== undefined && !(s.size < node.ObjectSizeLessThan)) return false;
  return true;
}

const hasSizeFilter = (rule: StoredRule): boolean => {
  const node = rule.Filter?.And ?? rule.Filter;
  return node?.ObjectSizeGreaterThan !== undefined || node?.ObjectSizeLessThan !== undefined;
};

/** Small objects skip transitions unless the rule names sizes itself (S3's default since 2024). */
function transitionAllowed(config: StoredLifecycle, rule: StoredRule, size: number, target: string): boolean {
  if (size >= SMALL_OBJECT || hasSizeFilter(rule)) return true;
  return config.TransitionDefaultMinimumObjectSize === 'varies_by_storage_class' && (target === 'GLACIER' || target === 'DEEP_ARCHIVE');
}

export interface Timed {
  atMs: number;
  ruleId: string;
}

/** What the rules do to a current version (not a delete marker): its expiry, and its transitions by time. */
export interface CurrentPlan {
  expiry?: Timed;
  transitions: Array<Timed & { storageClass: string }>;
}

export function planCurrent(config: StoredLifecycle, v: Subject & { lastModifiedMs: number; storageClass: string }): CurrentPlan {
  const plan: CurrentPlan = { transitions: [] };
  const created = v.lastModifiedMs;
  for (const rule of config.Rules) {
    if (!ruleMatches(rule, v)) continue;
    const e = rule.Expiration;
    let at: number | undefined;
    if (e?.Days !== undefined) at = dueAfterDays(created, e.Days);
    else if (e?.Date !== undefined) at = Math.max(Date.parse(e.Date), nextMidnight(created));
    if (at !== undefined && (!plan.expiry || at < plan.expiry.atMs)) plan.expiry = { atMs: at, ruleId: rule.ID };
    for (const t of rule.Transitions ?? []) {
      const cls = t.StorageClass!;
      if (rank(cls) <= rank(v.storageClass) || !transitionAllowed(config, rule, v.size, cls)) continue;
      const tAt = t.Days !== undefined ? dueAfterDays(created, t.Days) : Math.max(Date.parse(t.Date!), nextMidnight(created));
      plan.transitions.push({ atMs: tAt, ruleId: rule.ID, storageClass: cls });
    }
  }
  plan.transitions.sort((a, b) => a.atMs - b.atMs || rank(a.storageClass) - rank(b.storageClass));
  return plan;
}

/** The coldest class a plan's transitions have reached by `nowMs`, and when, or undefined for none. */
export function classAt(plan: CurrentPlan, nowMs: number): { storageClass: string; atMs: number } | undefined {
  let best: { storageClass: string; atMs: number } | undefined;
  for (const t of plan.transitions) {
    if (t.atMs > nowMs) continue;
    if (!best || rank(t.storageClass) > rank(best.storageClass)) best = { storageClass: t.storageClass, atMs: t.atMs };
  }
  return best;
}

/**
 * A noncurrent version: `sinceMs` is when it became noncurrent (the next newer version's
 * creation), `newer` how many noncurrent versions of the key are newer than it.
 */
export interface NoncurrentSubject extends Subject {
  sinceMs: number;
  newer: number;
  storageClass: string;
}

export function planNoncurrent(config: StoredLifecycle, v: NoncurrentSubject): CurrentPlan {
  const plan: CurrentPlan = { transitions: [] };
  for (const rule of config.Rules) {
    if (!ruleMatches(rule, v)) continue;
    const nve = rule.NoncurrentVersionExpiration;
    if (nve?.NoncurrentDays !== undefined && v.newer >= (nve.NewerNoncurrentVersions ?? 0)) {
      const at = dueAfterDays(v.sinceMs, nve.NoncurrentDays);
      if (!plan.expiry || at < plan.expiry.atMs) plan.expiry = { atMs: at, ruleId: rule.ID };
    }
    for (const t of rule.NoncurrentVersionTransitions ?? []) {
      const cls = t.StorageClass!;
      if (v.newer < (t.NewerNoncurrentVersions ?? 0)) continue;
      if (rank(cls) <= rank(v.storageClass) || !transitionAllowed(config, rule, v.size, cls)) continue;
      plan.transitions.push({ atMs: dueAfterDays(v.sinceMs, t.NoncurrentDays!), ruleId: rule.ID, storageClass: cls });
    }
  }
  plan.transitions.sort((a, b) => a.atMs - b.atMs || rank(a.storageClass) - rank(b.storageClass));
  return plan;
}

/**
 * When a delete marker left with no versions beneath it is removed: at once (the next run) under
 * ExpiredObjectDeleteMarker, or once it is as old as an Expiration's Days.
 */
export function markerRemoval(config: StoredLifecycle, key: string, markerMs: number): Timed | undefined {
  let best: Timed | undefined;
  for (const rule of config.Rules) {
    if (!ruleMatches(rule, { key, size: 0 })) continue;
    const e = rule.Expiration;
    let at: number | undefined;
    if (e?.ExpiredObjectDeleteMarker === true) at = nextMidnight(markerMs);
    else if (e?.Days !== undefined) at = dueAfterDays(markerMs, e.Days);
    if (at !== undefined && (!best || at < best.atMs)) best = { atMs: at, ruleId: rule.ID };
  }
  return best;
}

/** When an incomplete multipart upload is aborted, if a rule says so. */
export function uploadAbort(config: StoredLifecycle, key: string, initiatedMs: number): Timed | undefined {
  let best: Timed | undefined;
  for (const rule of config.Rules) {
    const days = rule.AbortIncompleteMultipartUpload?.DaysAfterInitiation;
    if (days === undefined || !ruleMatches(rule, { key, size: 0 })) continue;
    const at = dueAfterDays(initiatedMs, days);
    if (!best || at < best.atMs) best = { atMs: at, ruleId: rule.ID };
  }
  return best;
}

/**
 * The earliest time after `fromMs` at which something new (an object written, a version made
 * noncurrent, tags changed, an upload started) could fall due under these rules: a lower bound,
 * so a bucket is looked at again no later than that.
 */
export function newWorkBound(config: StoredLifecycle, fromMs: number): number {
  let bound = Infinity;
  const soon = nextMidnight(fromMs);
  const days = (n: number): number => dueAfterDays(fromMs, n);
  const date = (iso: string): number => Math.max(Date.parse(iso), soon);
  for (const rule of config.Rules) {
    if (rule.Status !== 'Enabled') continue;
    const tagged = Boolean(rule.Filter?.Tag || rule.Filter?.And?.Tags?.length);
    const e = rule.Expiration;
    const times: number[] = [];
    // A tag filter can start matching an old object at any moment.
    if (tagged) times.push(soon);
    if (e?.ExpiredObjectDeleteMarker) times.push(soon);
    if (e?.Days !== undefined) times.push(days(e.Days));
    if (e?.Date !== undefined) times.push(date(e.Date));
    for (const t of rule.Transitions ?? []) times.push(t.Days !== undefined ? days(t.Days) : date(t.Date!));
    const nve = rule.NoncurrentVersionExpiration;
    if (nve) times.push(nve.NewerNoncurrentVersions ? soon : days(nve.NoncurrentDays!));
    for (const t of rule.NoncurrentVersionTransitions ?? []) times.push(t.NewerNoncurrentVersions ? soon : days(t.NoncurrentDays!));
    if (rule.AbortIncompleteMultipartUpload) times.push(days(rule.AbortIncompleteMultipartUpload.DaysAfterInitiation!));
    for (const t of times) bound = Math.min(bound, t);
  }
  return bound;
}

/** The x-amz-expiration value: `expiry-date="Fri, 23 Dec 2012 00:00:00 GMT", rule-id="..."` (the ID URL-encoded). */
export const expirationValue = (t: Timed): string => `expiry-date="${new Date(t.atMs).toUTCString()}", rule-id="${encodeURIComponent(t.ruleId)}"`;
