import type { Handler } from '../types.js';
import { describeSavingsPlansOfferingRates, describeSavingsPlansOfferings } from './offerings.js';
import {
  createSavingsPlan, deleteQueuedSavingsPlan, describeSavingsPlanRates, describeSavingsPlans, returnSavingsPlan, tagResource, untagResource,
} from './purchases.js';

/**
 * The commitment side of Savings Plans: offerings and their rates, purchases (queued, deleted,
 * returned), a plan's rates and tags. DescribeSavingsPlans brings states up to the clock before
 * plans.ts reads the stored plans.
 */
export const savingsPlansHandlers: Record<string, Handler> = {
  DescribeSavingsPlansOfferings: describeSavingsPlansOfferings,
  DescribeSavingsPlansOfferingRates: describeSavingsPlansOfferingRates,
  CreateSavingsPlan: createSavingsPlan,
  DescribeSavingsPlans: describeSavingsPlans,
  DescribeSavingsPlanRates: describeSavingsPlanRates,
  DeleteQueuedSavingsPlan: deleteQueuedSavingsPlan,
  ReturnSavingsPlan: returnSavingsPlan,
  TagResource: tagResource,
  UntagResource: untagResource,
};
