import { defineService } from '../types.js';
import { budgetsHandlers } from './handlers.js';

/**
 * AWS Budgets (JSON 1.1, X-Amz-Target AWSBudgetServiceGateway.*). Global: one state per
 * account. Handlers take and return the model's members (PascalCase: AccountId, BudgetName,
 * Budgets). IAM actions differ from the operation names (authz.ts).
 */
export default defineService({
  name: 'budgets',
  modelId: 'budgets-2016-10-20',
  global: true,
  handlers: { ...budgetsHandlers },
});
