import { defineService } from '../types.js';
import { getCallerIdentity } from './identity.js';

export default defineService({
  name: 'sts',
  modelId: 'sts-2011-06-15',
  handlers: {
    GetCallerIdentity: getCallerIdentity,
  },
});
