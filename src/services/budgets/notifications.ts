/**
 * Notifications and their subscribers. A notification is named by its type, comparison,
 * threshold and threshold type (what Describe/Update/Delete pass back); it lives inside its
 * budget's row. Creating or changing one evaluates the budget again at once.
 */
import { AwsError } from '../../core/errors.js';
import type { Handler, RequestContext } from '../types.js';
import { allBudgets, duplicate, limitExceeded, mustBudget, notFound, type BudgetRecord, type NotificationRecord } from './records.js';
import { notificationView, page, subscriberView } from './shapes.js';
import { saveForEvaluation } from './step.js';
import {
  checkAccount, checkName, checkSubscriberCounts, MAX_NOTIFICATIONS, notificationKey, parseNotification, parseSubscriber, parseSubscribers,
} from './validate.js';

export const duplicateNotification = (budget: string): AwsError => duplicate(`Error creating notification: the notification already exists for budget ${budget}.`);

const indexed = <T>(list: T[]): Array<{ k: string; v: T }> => list.map((v, i) => ({ k: String(i).padStart(5, '0'), v }));

function budgetFor(ctx: RequestContext, input: any, what: string): { account: string; b: BudgetRecord } {
  const account = checkAccount(ctx, input.AccountId);
  const name = checkName(input.BudgetName);
  return { account, b: mustBudget(ctx.tx, account, name, what) };
}

function findNotification(b: BudgetRecord, n: any, member = 'Notification'): NotificationRecord {
  const key = notificationKey(parseNotification(n, member));
  const found = b.notifications.find((x) => notificationKey(x) === key);
  if (!found) throw notFound(`Unable to find notification ${key.replaceAll('|', ' ')} of budget ${b.name} - the notification doesn't exist.`);
  return found;
}

export const createNotification: Handler = (input, ctx) => {
  const { account, b } = budgetFor(ctx, input, 'Unable to create notification');
  const n: NotificationRecord = { ...parseNotification(input.Notification), state: 'OK', subscribers: parseSubscribers(input.Subscribers) };
  if (b.notifications.some((x) => notificationKey(x) === notificationKey(n))) throw duplicateNotification(b.name);
  if (b.notifications.length >= MAX_NOTIFICATIONS) throw limitExceeded(`A budget can have at most ${MAX_NOTIFICATIONS} notifications`);
  b.notifications.push(n);
  saveForEvaluation(ctx.tx, account, b, ctx.clock.nowMs());
  return {};
};

export const describeNotificationsForBudget: Handler = (input, ctx) => {
  const { b } = budgetFor(ctx, input, 'Unable to get notifications');
  const p = page(indexed(b.notifications), (x) => x.k, input, 100, 100);
  return { Notifications: p.items.map((x) => notificationView(x.v)), ...(p.NextToken ? { NextToken: p.NextToken } : {}) };
};

export const updateNotification: Handler = (input, ctx) => {
  const { account, b } = budgetFor(ctx, input, 'Unable to update notification');
  const old = findNotification(b, input.OldNotification, 'OldNotification');
  const next = parseNotification(input.NewNotification, 'NewNotification');
  if (notificationKey(next) !== notificationKey(old) && b.notifications.some((x) => notificationKey(x) === notificationKey(next))) {
    throw duplicate(`Unable to update notification: a notification ${notificationKey(next).replaceAll('|', ' ')} already exists for budget ${b.name}.`);
  }
  // A changed threshold is a new alert: it may send again in this period.
  const changed = notificationKey(next) !== notificationKey(old);
  Object.assign(old, next, changed ? { state: 'OK' } : {});
  if (changed) delete old.sentPeriodMs;
  saveForEvaluation(ctx.tx, account, b, ctx.clock.nowMs());
  return {};
};

export const deleteNotification: Handler = (input, ctx) => {
  const { account, b } = budgetFor(ctx, input, 'Unable to delete notification');
  const n = findNotification(b, input.Notification);
  b.notifications = b.notifications.filter((x) => x !== n);
  saveForEvaluation(ctx.tx, account, b, ctx.clock.nowMs());
  return {};
};

export const createSubscriber: Handler = (input, ctx) => {
  const { account, b } = budgetFor(ctx, input, 'Unable to create subscriber');
  const n = findNotification(b, input.Notification);
  const s = parseSubscriber(input.Subscriber);
  if (n.subscribers.some((x) => x.type === s.type && x.address === s.address)) throw duplicate(`Error creating subscriber: ${s.address} - the subscriber already exists.`);
  checkSubscriberCounts([...n.subscribers, s], 'CreationLimitExceededException');
  n.subscribers.push(s);
  saveForEvaluation(ctx.tx, account, b, ctx.clock.nowMs());
  return {};
};

export const describeSubscribersForNotification: Handler = (input, ctx) => {
  const { b } = budgetFor(ctx, input, 'Unable to get subscribers');
  const n = findNotification(b, input.Notification);
  const p = page(indexed(n.subscribers), (x) => x.k, input, 100, 100);
  return { Subscribers: p.items.map((x) => subscriberView(x.v)), ...(p.NextToken ? { NextToken: p.NextToken } : {}) };
};

export const updateSubscriber: Handler = (input, ctx) => {
  const { account, b } = budgetFor(ctx, input, 'Unable to update subscriber');
  const n = findNotification(b, input.Notification);
  const old = parseSubscriber(input.OldSubscriber, 'OldSubscriber');
  const next = parseSubscriber(input.NewSubscriber, 'NewSubscriber');
  const i = n.subscribers.findIndex((x) => x.type === old.type && x.address === old.address);
  if (i < 0) throw notFound(`Unable to update subscriber: ${old.address} - the subscriber doesn't exist.`);
  if ((next.type !== old.type || next.address !== old.address) && n.subscribers.some((x) => x.type === next.type && x.address === next.address)) {
    throw duplicate(`Unable to update subscriber: ${next.address} - the subscriber already exists.`);
  }
  const subs = n.subscribers.map((x, j) => (j === i ? next : x));
  checkSubscriberCounts(subs);
  n.subscribers = subs;
  saveForEvaluation(ctx.tx, account, b, ctx.clock.nowMs());
  return {};
};

export const deleteSubscriber: Handler = (input, ctx) => {
  const { account, b } = budgetFor(ctx, input, 'Unable to delete subscriber');
  const n = findNotification(b, input.Notification);
  const s = parseSubscriber(input.Subscriber);
  const i = n.subscribers.findIndex((x) => x.type === s.type && x.address === s.address);
  if (i < 0) throw notFound(`Unable to delete subscriber: ${s.address} - the subscriber doesn't exist.`);
  n.subscribers.splice(i, 1);
  saveForEvaluation(ctx.tx, account, b, ctx.clock.nowMs());
  return {};
};

export const describeBudgetNotificationsForAccount: Handler = (input, ctx) => {
  const account = checkAccount(ctx, input.AccountId);
  const withNotes = allBudgets(ctx.tx, account).filter((b) => b.notifications.length > 0);
  const p = page(withNotes, (b) => b.name, input, 100, 1000);
  return {
    BudgetNotificationsForAccount: p.items.map((b) => ({ BudgetName: b.name, Notifications: b.notifications.map(notificationView) })),
    ...(p.NextToken ? { NextToken: p.NextToken } : {}),
  };
};
