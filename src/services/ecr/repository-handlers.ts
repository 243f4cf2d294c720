import type { Handler } from '../types.js';
import { getAuthorizationToken } from './auth-token.js';
import {
  deleteRegistryPolicy, deleteRepositoryPolicy, getRegistryPolicy, getRepositoryPolicy, putRegistryPolicy, setRepositoryPolicy,
} from './policies.js';
import {
  batchGetRepositoryScanningConfiguration, deleteSigningConfiguration, deregisterPullTimeUpdateExclusion, describeRegistry,
  getAccountSetting, getRegistryScanningConfiguration, getSigningConfiguration, listPullTimeUpdateExclusions, putAccountSetting,
  putRegistryScanningConfiguration, putReplicationConfiguration, putSigningConfiguration, registerPullTimeUpdateExclusion,
} from './registry-config.js';
import {
  createRepository, deleteRepository, describeRepositories, putImageScanningConfiguration, putImageTagMutability,
} from './repositories.js';
import { listTagsForResource, tagResource, untagResource } from './tagging.js';
import {
  createPullThroughCacheRule, createRepositoryCreationTemplate, deletePullThroughCacheRule, deleteRepositoryCreationTemplate,
  describePullThroughCacheRules, describeRepositoryCreationTemplates, updatePullThroughCacheRule, updateRepositoryCreationTemplate,
  validatePullThroughCacheRule,
} from './templates.js';

/** ECR operations of this area (see index.ts): repositories, policies, registry settings, tokens. */
export const repositoryHandlers: Record<string, Handler> = {
  CreateRepository: createRepository,
  DescribeRepositories: describeRepositories,
  DeleteRepository: deleteRepository,
  PutImageTagMutability: putImageTagMutability,
  PutImageScanningConfiguration: putImageScanningConfiguration,
  TagResource: tagResource,
  UntagResource: untagResource,
  ListTagsForResource: listTagsForResource,
  SetRepositoryPolicy: setRepositoryPolicy,
  GetRepositoryPolicy: getRepositoryPolicy,
  DeleteRepositoryPolicy: deleteRepositoryPolicy,
  PutRegistryPolicy: putRegistryPolicy,
  GetRegistryPolicy: getRegistryPolicy,
  DeleteRegistryPolicy: deleteRegistryPolicy,
  DescribeRegistry: describeRegistry,
  PutReplicationConfiguration: putReplicationConfiguration,
  PutRegistryScanningConfiguration: putRegistryScanningConfiguration,
  GetRegistryScanningConfiguration: getRegistryScanningConfiguration,
  BatchGetRepositoryScanningConfiguration: batchGetRepositoryScanningConfiguration,
  CreateRepositoryCreationTemplate: createRepositoryCreationTemplate,
  DescribeRepositoryCreationTemplates: describeRepositoryCreationTemplates,
  UpdateRepositoryCreationTemplate: updateRepositoryCreationTemplate,
  DeleteRepositoryCreationTemplate: deleteRepositoryCreationTemplate,
  CreatePullThroughCacheRule: createPullThroughCacheRule,
  DescribePullThroughCacheRules: describePullThroughCacheRules,
  UpdatePullThroughCacheRule: updatePullThroughCacheRule,
  DeletePullThroughCacheRule: deletePullThroughCacheRule,
  ValidatePullThroughCacheRule: validatePullThroughCacheRule,
  GetAccountSetting: getAccountSetting,
  PutAccountSetting: putAccountSetting,
  PutSigningConfiguration: putSigningConfiguration,
  GetSigningConfiguration: getSigningConfiguration,
  DeleteSigningConfiguration: deleteSigningConfiguration,
  RegisterPullTimeUpdateExclusion: registerPullTimeUpdateExclusion,
  DeregisterPullTimeUpdateExclusion: deregisterPullTimeUpdateExclusion,
  ListPullTimeUpdateExclusions: listPullTimeUpdateExclusions,
  GetAuthorizationToken: getAuthorizationToken,
};
