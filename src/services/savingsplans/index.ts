import { defineService } from '../types.js';
import { savingsPlansHandlers } from './handlers.js';
import { describeSavingsPlans, listTagsForResource } from './plans.js';

/**
 * AWS Savings Plans (rest-json: POST /OperationName, JSON body; src/protocol/rest-json.ts).
 * Global: one state per account. Handlers take and return the model's camelCase members
 * (savingsPlanIds, savingsPlans, nextToken); records.ts holds the stored plans.
 */
export default defineService({
  name: 'savingsplans',
  modelId: 'savingsplans-2019-06-28',
  global: true,
  handlers: {
    DescribeSavingsPlans: describeSavingsPlans,
    ListTagsForResource: listTagsForResource,
    ...savingsPlansHandlers,
  },
});
