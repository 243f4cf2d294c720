/**
 * Tags on budgets (arn:aws:budgets::ACCOUNT:budget/NAME) and budget actions
 * (.../budget/NAME/action/ID): TagResource, ListTagsForResource, UntagResource.
 */
import type { Handler, RequestContext } from '../types.js';
import { ACTION, actionId, getBudget, globalScope, invalidParameter, notFound, saveAction, BUDGET, type ActionRecord, type Tag } from './records.js';
import { MAX_TAGS, parseTags } from './validate.js';
import { AwsError } from '../../core/errors.js';

const ARN = /^arn:aws[a-z-]*:budgets::(\d{12}):budget\/([^:\\]+?)(?:\/action\/([0-9a-fA-F-]{36}))?$/;

interface Target { tags: Tag[]; save(tags: Tag[]): void }

function target(ctx: RequestContext, arn: unknown): Target {
  const m = typeof arn === 'string' ? ARN.exec(arn) : null;
  if (!m) throw invalidParameter(`Invalid ResourceARN ${JSON.stringify(arn)}: a budget or budget action ARN`);
  const [, account, name, id] = m as unknown as [string, string, string, string | undefined];
  const scope = globalScope(ctx.account);
  if (account !== ctx.account) throw new AwsError('AccessDeniedException', `Account ${ctx.account} may not tag the resources of account ${account}`);
  const b = getBudget(ctx.tx, account, name);
  if (!b) throw notFound(`The resource ${String(arn)} doesn't exist: no budget ${name}.`);
  if (id === undefined) return { tags: b.tags, save: (tags) => ctx.tx.put(scope, BUDGET, name, { ...b, tags }) };
  const a = ctx.tx.get<ActionRecord>(scope, ACTION, actionId(name, id));
  if (!a) throw notFound(`The resource ${String(arn)} doesn't exist: no action ${id} of budget ${name}.`);
  return { tags: a.tags, save: (tags) => saveAction(ctx.tx, account, { ...a, tags }) };
}

export const tagResource: Handler = (input, ctx) => {
  const t = target(ctx, input.ResourceARN);
  const add = parseTags(input.ResourceTags);
  const merged = new Map(t.tags.map((x) => [x.Key, x.Value]));
  for (const x of add) merged.set(x.Key, x.Value);
  if (merged.size > MAX_TAGS) throw new AwsError('ServiceQuotaExceededException', `A budget resource can have at most ${MAX_TAGS} tags`);
  t.save([...merged].map(([Key, Value]) => ({ Key, Value })));
  return {};
};

export const listTagsForResource: Handler = (input, ctx) => ({ ResourceTags: target(ctx, input.ResourceARN).tags });

export const untagResource: Handler = (input, ctx) => {
  const t = target(ctx, input.ResourceARN);
  const keys = input.ResourceTagKeys;
  if (!Array.isArray(keys)) throw invalidParameter('ResourceTagKeys must be a list');
  const drop = new Set(keys as string[]);
  t.save(t.tags.filter((x) => !drop.has(x.Key)));
  return {};
};
