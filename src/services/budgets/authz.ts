import type { ServiceAuthz } from '../authz/types.js';

/**
 * Budgets authorizes its budget, notification and subscriber operations with two actions
 * (the service authorization reference's operations table): budgets:ViewBudget to read and
 * budgets:ModifyBudget to change. The budget-action, tagging and DescribeBudgetActions*
 * operations have actions of their own name, which the generated table finds by itself.
 * Not modelled: aws-portal:ModifyBilling (retired with the fine-grained billing actions), and
 * budgets:TagResource that CreateBudget / CreateBudgetAction also need when they carry tags.
 */
const VIEW = ['DescribeBudget', 'DescribeBudgets', 'DescribeBudgetNotificationsForAccount', 'DescribeBudgetPerformanceHistory',
  'DescribeNotificationsForBudget', 'DescribeSubscribersForNotification'];
const MODIFY = ['CreateBudget', 'UpdateBudget', 'DeleteBudget', 'CreateNotification', 'UpdateNotification', 'DeleteNotification',
  'CreateSubscriber', 'UpdateSubscriber', 'DeleteSubscriber'];

const authz: ServiceAuthz = {
  actions: Object.fromEntries([...VIEW.map((op) => [op, 'ViewBudget']), ...MODIFY.map((op) => [op, 'ModifyBudget'])]),
};

export default authz;
