import type { Handler } from '../types.js';
import { describeRepositories } from './repositories.js';

/** ECR operations of this area (see index.ts). */
export const repositoryHandlers: Record<string, Handler> = {
  DescribeRepositories: describeRepositories,
};
