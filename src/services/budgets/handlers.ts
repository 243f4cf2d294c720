/**
 * The Budgets operations. Each request first brings the account's budgets up to the clock
 * (the fleet engine's settle of the global scope, where the "budgets" step evaluates them), so
 * what it reads is what the evaluations due by now found.
 */
import { isDue, settleScope } from '../fleet/engine.js';
import { FLEET_STEPS } from '../fleet/steps.js';
import type { Handler } from '../types.js';
import {
  createBudgetAction, deleteBudgetAction, describeBudgetAction, describeBudgetActionHistories, describeBudgetActionsForAccount,
  describeBudgetActionsForBudget, executeBudgetAction, updateBudgetAction,
} from './actions.js';
import { createBudget, deleteBudget, describeBudget, describeBudgets, updateBudget } from './budgets.js';
import { describeBudgetPerformanceHistory } from './history.js';
import {
  createNotification, createSubscriber, deleteNotification, deleteSubscriber, describeBudgetNotificationsForAccount,
  describeNotificationsForBudget, describeSubscribersForNotification, updateNotification, updateSubscriber,
} from './notifications.js';
import { globalScope } from './records.js';
import { listTagsForResource, tagResource, untagResource } from './tags.js';

function settledFirst(h: Handler): Handler {
  return (input, ctx) => {
    const scope = globalScope(ctx.account);
    const now = ctx.clock.nowMs();
    if (ctx.account && isDue(ctx.tx, scope, now)) {
      settleScope(ctx.tx, scope, now, { blobs: ctx.blobs, log: ctx.log, afterCommit: ctx.afterCommit, transact: ctx.transact }, FLEET_STEPS);
    }
    return h(input, ctx);
  };
}

const raw: Record<string, Handler> = {
  CreateBudget: createBudget,
  DescribeBudget: describeBudget,
  DescribeBudgets: describeBudgets,
  UpdateBudget: updateBudget,
  DeleteBudget: deleteBudget,
  CreateNotification: createNotification,
  DescribeNotificationsForBudget: describeNotificationsForBudget,
  UpdateNotification: updateNotification,
  DeleteNotification: deleteNotification,
  CreateSubscriber: createSubscriber,
  DescribeSubscribersForNotification: describeSubscribersForNotification,
  UpdateSubscriber: updateSubscriber,
  DeleteSubscriber: deleteSubscriber,
  DescribeBudgetNotificationsForAccount: describeBudgetNotificationsForAccount,
  DescribeBudgetPerformanceHistory: describeBudgetPerformanceHistory,
  CreateBudgetAction: createBudgetAction,
  DescribeBudgetAction: describeBudgetAction,
  DescribeBudgetActionsForBudget: describeBudgetActionsForBudget,
  DescribeBudgetActionsForAccount: describeBudgetActionsForAccount,
  UpdateBudgetAction: updateBudgetAction,
  DeleteBudgetAction: deleteBudgetAction,
  ExecuteBudgetAction: executeBudgetAction,
  DescribeBudgetActionHistories: describeBudgetActionHistories,
  TagResource: tagResource,
  ListTagsForResource: listTagsForResource,
  UntagResource: untagResource,
};

export const budgetsHandlers: Record<string, Handler> = Object.fromEntries(Object.entries(raw).map(([op, h]) => [op, settledFirst(h)]));
