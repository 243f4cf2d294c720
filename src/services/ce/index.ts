import { defineService } from '../types.js';
import { allocationTagHandlers } from './allocation-tags.js';
import { commitmentHandlers } from './commitment-handlers.js';
import { costAndUsageHandlers } from './cost-and-usage.js';
import { dimensionValueHandlers } from './dimension-values.js';
import { forecastHandlers } from './forecast.js';
import { rightsizingHandlers } from './rightsizing-handlers.js';

/**
 * AWS Cost Explorer (JSON 1.1, X-Amz-Target AWSInsightsIndexService.*). Global: one state per
 * account. Handlers take and return the model's members as named there (PascalCase:
 * TimePeriod, Granularity, ResultsByTime); an operation without a handler answers NotImplemented.
 */
export default defineService({
  name: 'ce',
  modelId: 'ce-2017-10-25',
  global: true,
  handlers: {
    ...costAndUsageHandlers,
    ...dimensionValueHandlers,
    ...forecastHandlers,
    ...allocationTagHandlers,
    ...commitmentHandlers,
    ...rightsizingHandlers,
  },
});
