import { defineService } from '../types.js';
import { listBuckets } from './buckets.js';

export default defineService({
  name: 's3',
  modelId: 's3-2006-03-01',
  handlers: {
    ListBuckets: listBuckets,
  },
});
