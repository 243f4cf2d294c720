import { defineService } from '../types.js';
import { describeRepositories } from './repositories.js';

export default defineService({
  name: 'ecr',
  modelId: 'ecr-2015-09-21',
  handlers: {
    DescribeRepositories: describeRepositories,
  },
});
