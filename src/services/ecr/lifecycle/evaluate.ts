/**
 * Which images a lifecycle policy acts on, at a given time: pure. ECR's documented evaluation:
 * - every rule identifies its images (tag status, tag prefixes or patterns, storage class) and
 *   marks the ones its count rule selects; then the rules apply in rulePriority order;
 * - an image is acted on by at most one rule;
 * - an image that matches the tagging requirements of a rule cannot be acted on by a rule of
 *   lower priority (a later rule still counts it, as if it had not been expired);
 * - imageCountMoreThan sorts the rule's images newest first by push time and marks all past
 *   countNumber; sinceImagePushed / sinceImagePulled / sinceImageTransitioned mark the images
 *   older than countNumber days by that time. Older images always go before newer ones.
 * - a prefix or pattern list matches when every entry matches one of the image's tags.
 */
import { tagMatchesPattern, type LifecycleRule } from './rules.js';

export const DAY_MS = 24 * 3600_000;

/** What the evaluator needs of an image. */
export interface LifecycleImage {
  digest: string;
  tags: string[];
  pushedAtMs: number;
  lastPullMs?: number;
  storageClass?: 'STANDARD' | 'ARCHIVE';
  /** When the image moved to its storage class (archive), if it did. */
  transitionedAtMs?: number;
}

export interface LifecycleAction {
  digest: string;
  rulePriority: number;
  type: 'expire' | 'transition';
  targetStorageClass?: 'archive';
}

export interface Evaluation {
  actions: LifecycleAction[];
  /**
   * The earliest time after `now` at which a time-based rule (since*) could mark an image it
   * does not mark now, with the images unchanged; undefined when none can.
   */
  nextChangeMs?: number;
}

function storageOf(img: LifecycleImage): 'standard' | 'archive' {
  return img.storageClass === 'ARCHIVE' ? 'archive' : 'standard';
}

/** Whether the image meets the rule's tag status, tag lists and storage class. */
export function ruleMatches(rule: LifecycleRule, img: LifecycleImage): boolean {
  const s = rule.selection;
  if (storageOf(img) !== s.storageClass) return false;
  if (s.tagStatus === 'any') return true;
  if (s.tagStatus === 'untagged') return img.tags.length === 0;
  if (img.tags.length === 0) return false;
  if (s.tagPrefixList) return s.tagPrefixList.every((p) => img.tags.some((t) => t.startsWith(p)));
  if (s.tagPatternList) return s.tagPatternList.every((p) => img.tags.some((t) => tagMatchesPattern(t, p)));
  return false;
}

/** The time a since* rule measures age from (never pulled: the push time). */
function sinceMs(rule: LifecycleRule, img: LifecycleImage): number {
  switch (rule.selection.countType) {
    case 'sinceImagePulled': return img.lastPullMs ?? img.pushedAtMs;
    case 'sinceImageTransitioned': return img.transitionedAtMs ?? img.pushedAtMs;
    default: return img.pushedAtMs;
  }
}

/** Newest first by push time; the digest breaks ties so the order is stable. */
function newestFirst(a: LifecycleImage, b: LifecycleImage): number {
  return b.pushedAtMs - a.pushedAtMs || (a.digest < b.digest ? -1 : a.digest > b.digest ? 1 : 0);
}

/** Applies `rules` (sorted by rulePriority, as parseLifecyclePolicy returns them) to `images` at `nowMs`. */
export function evaluateLifecycle(rules: LifecycleRule[], images: LifecycleImage[], nowMs: number): Evaluation {
  const sorted = [...images].sort(newestFirst);
  /** Images some higher-priority rule matched: no later rule may act on them. */
  const claimed = new Set<string>();
  const actions: LifecycleAction[] = [];
  let nextChangeMs: number | undefined;
  for (const rule of [...rules].sort((a, b) => a.rulePriority - b.rulePriority)) {
    const matched = sorted.filter((img) => ruleMatches(rule, img));
    const s = rule.selection;
    let marked: LifecycleImage[];
    if (s.countType === 'imageCountMoreThan') {
      marked = matched.slice(s.countNumber);
    } else {
      const maxAge = s.countNumber * DAY_MS;
      marked = [];
      for (const img of matched) {
        const dueMs = sinceMs(rule, img) + maxAge;
        if (nowMs > dueMs) marked.push(img);
        else if (!claimed.has(img.digest) && (nextChangeMs === undefined || dueMs + 1 < nextChangeMs)) nextChangeMs = dueMs + 1;
      }
    }
    // Oldest first: ECR always expires older images before newer ones.
    for (const img of [...marked].reverse()) {
      if (claimed.has(img.digest)) continue;
      const a: LifecycleAction = { digest: img.digest, rulePriority: rule.rulePriority, type: rule.action.type };
      if (rule.action.targetStorageClass) a.targetStorageClass = rule.action.targetStorageClass;
      actions.push(a);
    }
    for (const img of matched) claimed.add(img.digest);
  }
  return nextChangeMs === undefined ? { actions } : { actions, nextChangeMs };
}
