/**
 * Repository creation templates and pull-through cache rules: stored in the registry's
 * settings row and validated as ECR does. cloudlet creates no repository on push, by
 * replication or through a cache, and never contacts an upstream registry: the rules are
 * kept, described and validated, and ValidatePullThroughCacheRule says that nothing is pulled.
 */
import type {
  CreatePullThroughCacheRuleRequest, CreatePullThroughCacheRuleResponse, CreateRepositoryCreationTemplateRequest,
  CreateRepositoryCreationTemplateResponse, DeletePullThroughCacheRuleRequest, DeletePullThroughCacheRuleResponse,
  DeleteRepositoryCreationTemplateRequest, DeleteRepositoryCreationTemplateResponse, DescribePullThroughCacheRulesRequest,
  DescribePullThroughCacheRulesResponse, DescribeRepositoryCreationTemplatesRequest, DescribeRepositoryCreationTemplatesResponse,
  PullThroughCacheRule as SdkRule, RepositoryCreationTemplate, UpdatePullThroughCacheRuleRequest, UpdatePullThroughCacheRuleResponse,
  UpdateRepositoryCreationTemplateRequest, UpdateRepositoryCreationTemplateResponse, ValidatePullThroughCacheRuleRequest,
  ValidatePullThroughCacheRuleResponse,
} from '@aws-sdk/client-ecr';
import { AwsError } from '../../core/errors.js';
import { decodePageToken, encodePageToken } from '../../core/page-token.js';
import type { Handler, RequestContext } from '../types.js';
import { checkPolicyText } from './policies.js';
import { checkEncryption, checkMutability, invalidParameter, requestScope } from './repositories.js';
import { registrySettings, updateSettings, type CreationTemplate, type PullThroughCacheRule } from './settings.js';
import { checkTags } from './tagging.js';

const MAX_TEMPLATES = 300;
const MAX_RULES = 50;
const APPLIED_FOR = new Set(['REPLICATION', 'PULL_THROUGH_CACHE', 'CREATE_ON_PUSH']);

function page<T>(items: T[], key: (t: T) => string, op: string, query: unknown, nextToken: string | undefined, maxResults: number | undefined) {
  const binding = { service: 'ecr', operation: op, query };
  let rest = items;
  if (nextToken !== undefined) {
    const after = decodePageToken(binding, nextToken);
    if (after === undefined) throw invalidParameter('nextToken', 'the token is not valid for this request');
    rest = items.filter((t) => key(t) > after);
  }
  const max = maxResults ?? 100;
  const out = rest.slice(0, max);
  return { items: out, nextToken: rest.length > max ? encodePageToken(binding, key(out[out.length - 1]!)) : undefined };
}

function toTemplate(t: CreationTemplate): RepositoryCreationTemplate {
  const out: RepositoryCreationTemplate = {
    prefix: t.prefix,
    resourceTags: t.resourceTags,
    imageTagMutability: t.imageTagMutability as RepositoryCreationTemplate['imageTagMutability'],
    appliedFor: t.appliedFor as RepositoryCreationTemplate['appliedFor'],
    createdAt: new Date(t.createdAtMs),
    updatedAt: new Date(t.updatedAtMs),
    encryptionConfiguration: (t.encryptionConfiguration ?? { encryptionType: 'AES256' }) as RepositoryCreationTemplate['encryptionConfiguration'],
  };
  if (t.description !== undefined) out.description = t.description;
  if (t.imageTagMutabilityExclusionFilters) out.imageTagMutabilityExclusionFilters = t.imageTagMutabilityExclusionFilters as RepositoryCreationTemplate['imageTagMutabilityExclusionFilters'];
  if (t.repositoryPolicy !== undefined) out.repositoryPolicy = t.repositoryPolicy;
  if (t.lifecyclePolicy !== undefined) out.lifecyclePolicy = t.lifecyclePolicy;
  if (t.customRoleArn !== undefined) out.customRoleArn = t.customRoleArn;
  return out;
}

type TemplateInput = CreateRepositoryCreationTemplateRequest | UpdateRepositoryCreationTemplateRequest;

/** The fields a create or update sets, checked; `base` is the template being updated. */
function templateFields(input: TemplateInput, ctx: RequestContext, base: CreationTemplate | undefined): Omit<CreationTemplate, 'prefix' | 'createdAtMs' | 'updatedAtMs'> {
  const scope = requestScope(ctx, undefined);
  const appliedFor = input.appliedFor ?? base?.appliedFor ?? [];
  if (appliedFor.length === 0) throw invalidParameter('appliedFor', 'Member must have length greater than or equal to 1');
  for (const a of appliedFor) if (!APPLIED_FOR.has(a)) throw invalidParameter('appliedFor', 'Member must satisfy enum value set: [REPLICATION, PULL_THROUGH_CACHE, CREATE_ON_PUSH]');
  const mutability = input.imageTagMutability !== undefined || input.imageTagMutabilityExclusionFilters !== undefined
    ? checkMutability(input.imageTagMutability, input.imageTagMutabilityExclusionFilters)
    : { imageTagMutability: (base?.imageTagMutability ?? 'MUTABLE') as 'MUTABLE', imageTagMutabilityExclusionFilters: base?.imageTagMutabilityExclusionFilters };
  const out: Omit<CreationTemplate, 'prefix' | 'createdAtMs' | 'updatedAtMs'> = {
    resourceTags: input.resourceTags !== undefined ? checkTags(input.resourceTags) : base?.resourceTags ?? [],
    imageTagMutability: mutability.imageTagMutability,
    appliedFor: [...new Set(appliedFor)],
  };
  if (mutability.imageTagMutabilityExclusionFilters) out.imageTagMutabilityExclusionFilters = mutability.imageTagMutabilityExclusionFilters;
  const description = input.description ?? base?.description;
  if (description !== undefined) out.description = description;
  if (input.encryptionConfiguration) {
    // A template may leave the key out; it is resolved when a repository is made from it.
    const e = input.encryptionConfiguration;
    const checked = checkEncryption(e.kmsKey ? e : { encryptionType: e.encryptionType }, scope.account, scope.region);
    out.encryptionConfiguration = e.kmsKey ? checked : { encryptionType: checked.encryptionType };
  } else if (base?.encryptionConfiguration) out.encryptionConfiguration = base.encryptionConfiguration;
  const policy = input.repositoryPolicy ?? base?.repositoryPolicy;
  if (policy !== undefined && policy !== '') {
    checkPolicyText(policy, 'repository');
    out.repositoryPolicy = policy;
  }
  const lifecycle = input.lifecyclePolicy ?? base?.lifecyclePolicy;
  if (lifecycle !== undefined && lifecycle !== '') {
    try {
      const parsed = JSON.parse(lifecycle) as { rules?: unknown };
      if (!Array.isArray(parsed?.rules)) throw new Error('no rules');
    } catch {
      throw invalidParameter('lifecyclePolicy', 'Lifecycle policy validation failure: the text must be a JSON object with a rules array');
    }
    out.lifecyclePolicy = lifecycle;
  }
  const role = input.customRoleArn ?? base?.customRoleArn;
  if (role !== undefined && role !== '') {
    if (!/^arn:aws[a-z-]*:iam::\d{12}:role\/[\w+=,.@/-]+$/.test(role)) throw invalidParameter('customRoleArn', `Invalid role ARN: ${role}`);
    out.customRoleArn = role;
  }
  return out;
}

const templateNotFound = (prefix: string, registryId: string) => new AwsError('TemplateNotFoundException',
  `The repository creation template with prefix '${prefix}' does not exist in the registry with id '${registryId}'`);

export const createRepositoryCreationTemplate: Handler<CreateRepositoryCreationTemplateRequest, CreateRepositoryCreationTemplateResponse> = (input, ctx) => {
  const scope = requestScope(ctx, undefined);
  const prefix = input.prefix!;
  const list = registrySettings(ctx.tx, scope).templates ?? [];
  if (list.some((t) => t.prefix === prefix)) {
    throw new AwsError('TemplateAlreadyExistsException', `The repository creation template with prefix '${prefix}' already exists in the registry with id '${scope.account}'`);
  }
  if (list.length >= MAX_TEMPLATES) throw new AwsError('LimitExceededException', `The registry already has ${MAX_TEMPLATES} repository creation templates, the maximum`);
  const now = ctx.clock.nowMs();
  const t: CreationTemplate = { prefix, ...templateFields(input, ctx, undefined), createdAtMs: now, updatedAtMs: now };
  updateSettings(ctx.tx, scope, (s) => ({ ...s, templates: [...list, t].sort((a, b) => (a.prefix < b.prefix ? -1 : 1)) }));
  return { registryId: scope.account, repositoryCreationTemplate: toTemplate(t) };
};

export const updateRepositoryCreationTemplate: Handler<UpdateRepositoryCreationTemplateRequest, UpdateRepositoryCreationTemplateResponse> = (input, ctx) => {
  const scope = requestScope(ctx, undefined);
  const list = registrySettings(ctx.tx, scope).templates ?? [];
  const old = list.find((t) => t.prefix === input.prefix);
  if (!old) throw templateNotFound(input.prefix!, scope.account);
  const t: CreationTemplate = { prefix: old.prefix, ...templateFields(input, ctx, old), createdAtMs: old.createdAtMs, updatedAtMs: ctx.clock.nowMs() };
  updateSettings(ctx.tx, scope, (s) => ({ ...s, templates: list.map((x) => (x.prefix === t.prefix ? t : x)) }));
  return { registryId: scope.account, repositoryCreationTemplate: toTemplate(t) };
};

export const deleteRepositoryCreationTemplate: Handler<DeleteRepositoryCreationTemplateRequest, DeleteRepositoryCreationTemplateResponse> = (input, ctx) => {
  const scope = requestScope(ctx, undefined);
  const list = registrySettings(ctx.tx, scope).templates ?? [];
  const old = list.find((t) => t.prefix === input.prefix);
  if (!old) throw templateNotFound(input.prefix!, scope.account);
  updateSettings(ctx.tx, scope, (s) => ({ ...s, templates: list.filter((x) => x !== old) }));
  return { registryId: scope.account, repositoryCreationTemplate: toTemplate(old) };
};

export const describeRepositoryCreationTemplates: Handler<DescribeRepositoryCreationTemplatesRequest, DescribeRepositoryCreationTemplatesResponse> = (input, ctx) => {
  const scope = requestScope(ctx, undefined);
  let list = registrySettings(ctx.tx, scope).templates ?? [];
  if (input.prefixes?.length) {
    const want = new Set(input.prefixes);
    list = list.filter((t) => want.has(t.prefix));
  }
  const p = page(list, (t) => t.prefix, 'DescribeRepositoryCreationTemplates', { prefixes: input.prefixes }, input.nextToken, input.maxResults);
  return { registryId: scope.account, repositoryCreationTemplates: p.items.map(toTemplate), nextToken: p.nextToken };
};

/** Upstream registries ECR can cache from: how their URLs look and whether they need a secret. */
const UPSTREAMS: Record<string, { url: RegExp; credential: 'required' | 'optional' | 'none' }> = {
  'ecr': { url: /^\d{12}\.dkr\.ecr\.[a-z0-9-]+\.amazonaws\.com$/, credential: 'none' },
  'ecr-public': { url: /^public\.ecr\.aws$/, credential: 'none' },
  'quay': { url: /^quay\.io$/, credential: 'optional' },
  'k8s': { url: /^registry\.k8s\.io$/, credential: 'none' },
  'docker-hub': { url: /^registry-1\.docker\.io$/, credential: 'required' },
  'github-container-registry': { url: /^ghcr\.io$/, credential: 'required' },
  'azure-container-registry': { url: /^[a-z0-9]+\.azurecr\.io$/, credential: 'required' },
  'gitlab-container-registry': { url: /^registry\.gitlab\.com$/, credential: 'required' },
  'chainguard': { url: /^cgr\.dev$/, credential: 'optional' },
};

function upstreamOf(url: string, given: string | undefined): string {
  const host = url.replace(/^https?:\/\//, '').replace(/\/+$/, '');
  const name = given ?? Object.entries(UPSTREAMS).find(([, u]) => u.url.test(host))?.[0];
  if (!name || !UPSTREAMS[name] || !UPSTREAMS[name]!.url.test(host)) {
    throw new AwsError('UnsupportedUpstreamRegistryException', `The upstream registry URL '${url}' is not supported${given ? ` for the upstream registry ${given}` : ''}`);
  }
  return name;
}

function toRule(r: PullThroughCacheRule, registryId: string): SdkRule {
  const out: SdkRule = {
    ecrRepositoryPrefix: r.ecrRepositoryPrefix, upstreamRegistryUrl: r.upstreamRegistryUrl, createdAt: new Date(r.createdAtMs), registryId,
  };
  if (r.upstreamRegistry) out.upstreamRegistry = r.upstreamRegistry as SdkRule['upstreamRegistry'];
  if (r.credentialArn) out.credentialArn = r.credentialArn;
  if (r.customRoleArn) out.customRoleArn = r.customRoleArn;
  if (r.upstreamRepositoryPrefix) out.upstreamRepositoryPrefix = r.upstreamRepositoryPrefix;
  if (r.updatedAtMs !== undefined) out.updatedAt = new Date(r.updatedAtMs);
  return out;
}

const ruleNotFound = (prefix: string, registryId: string) => new AwsError('PullThroughCacheRuleNotFoundException',
  `The pull through cache rule with prefix '${prefix}' does not exist in the registry with id '${registryId}'`);

function rules(ctx: RequestContext, registryId: string | undefined) {
  const scope = requestScope(ctx, registryId);
  return { scope, list: registrySettings(ctx.tx, scope).pullThroughCache ?? [] };
}

export const createPullThroughCacheRule: Handler<CreatePullThroughCacheRuleRequest, CreatePullThroughCacheRuleResponse> = (input, ctx) => {
  const { scope, list } = rules(ctx, input.registryId);
  const prefix = input.ecrRepositoryPrefix!;
  if (list.some((r) => r.ecrRepositoryPrefix === prefix)) {
    throw new AwsError('PullThroughCacheRuleAlreadyExistsException', `A pull through cache rule with prefix '${prefix}' already exists in the registry with id '${scope.account}'`);
  }
  if (list.length >= MAX_RULES) throw new AwsError('LimitExceededException', `The registry already has ${MAX_RULES} pull through cache rules, the maximum`);
  const upstream = upstreamOf(input.upstreamRegistryUrl!, input.upstreamRegistry);
  const need = UPSTREAMS[upstream]!.credential;
  if (need === 'required' && !input.credentialArn) {
    throw new AwsError('InvalidParameterException', `Invalid parameter: a credentialArn is required for the upstream registry ${upstream}`);
  }
  if (need === 'none' && input.credentialArn) {
    throw new AwsError('InvalidParameterException', `Invalid parameter: the upstream registry ${upstream} takes no credentialArn`);
  }
  if (upstream === 'ecr' && !input.customRoleArn) {
    throw new AwsError('InvalidParameterException', 'Invalid parameter: a customRoleArn is required for an ECR upstream registry');
  }
  const r: PullThroughCacheRule = { ecrRepositoryPrefix: prefix, upstreamRegistryUrl: input.upstreamRegistryUrl!, upstreamRegistry: upstream, createdAtMs: ctx.clock.nowMs() };
  if (input.credentialArn) r.credentialArn = input.credentialArn;
  if (input.customRoleArn) r.customRoleArn = input.customRoleArn;
  r.upstreamRepositoryPrefix = input.upstreamRepositoryPrefix ?? 'ROOT';
  updateSettings(ctx.tx, scope, (s) => ({ ...s, pullThroughCache: [...list, r].sort((a, b) => (a.ecrRepositoryPrefix < b.ecrRepositoryPrefix ? -1 : 1)) }));
  return toRule(r, scope.account);
};

export const describePullThroughCacheRules: Handler<DescribePullThroughCacheRulesRequest, DescribePullThroughCacheRulesResponse> = (input, ctx) => {
  const { scope, list } = rules(ctx, input.registryId);
  let found = list;
  if (input.ecrRepositoryPrefixes?.length) {
    found = input.ecrRepositoryPrefixes.map((p) => list.find((r) => r.ecrRepositoryPrefix === p) ?? (() => { throw ruleNotFound(p, scope.account); })());
  }
  const p = page(found, (r) => r.ecrRepositoryPrefix, 'DescribePullThroughCacheRules', { registryId: scope.account, p: input.ecrRepositoryPrefixes }, input.nextToken, input.maxResults);
  return { pullThroughCacheRules: p.items.map((r) => toRule(r, scope.account)), nextToken: p.nextToken };
};

export const updatePullThroughCacheRule: Handler<UpdatePullThroughCacheRuleRequest, UpdatePullThroughCacheRuleResponse> = (input, ctx) => {
  const { scope, list } = rules(ctx, input.registryId);
  const old = list.find((r) => r.ecrRepositoryPrefix === input.ecrRepositoryPrefix);
  if (!old) throw ruleNotFound(input.ecrRepositoryPrefix!, scope.account);
  const r: PullThroughCacheRule = { ...old, updatedAtMs: ctx.clock.nowMs() };
  if (input.credentialArn !== undefined) r.credentialArn = input.credentialArn;
  if (input.customRoleArn !== undefined) r.customRoleArn = input.customRoleArn;
  updateSettings(ctx.tx, scope, (s) => ({ ...s, pullThroughCache: list.map((x) => (x === old ? r : x)) }));
  return {
    ecrRepositoryPrefix: r.ecrRepositoryPrefix, registryId: scope.account, updatedAt: new Date(r.updatedAtMs!),
    credentialArn: r.credentialArn, customRoleArn: r.customRoleArn, upstreamRepositoryPrefix: r.upstreamRepositoryPrefix,
  };
};

export const deletePullThroughCacheRule: Handler<DeletePullThroughCacheRuleRequest, DeletePullThroughCacheRuleResponse> = (input, ctx) => {
  const { scope, list } = rules(ctx, input.registryId);
  const old = list.find((r) => r.ecrRepositoryPrefix === input.ecrRepositoryPrefix);
  if (!old) throw ruleNotFound(input.ecrRepositoryPrefix!, scope.account);
  updateSettings(ctx.tx, scope, (s) => ({ ...s, pullThroughCache: list.filter((x) => x !== old) }));
  const { updatedAt: _u, upstreamRegistry: _r, ...out } = toRule(old, scope.account);
  return out;
};

export const validatePullThroughCacheRule: Handler<ValidatePullThroughCacheRuleRequest, ValidatePullThroughCacheRuleResponse> = (input, ctx) => {
  const { scope, list } = rules(ctx, input.registryId);
  const r = list.find((x) => x.ecrRepositoryPrefix === input.ecrRepositoryPrefix);
  if (!r) throw ruleNotFound(input.ecrRepositoryPrefix!, scope.account);
  return {
    ecrRepositoryPrefix: r.ecrRepositoryPrefix, registryId: scope.account, upstreamRegistryUrl: r.upstreamRegistryUrl,
    credentialArn: r.credentialArn, customRoleArn: r.customRoleArn, upstreamRepositoryPrefix: r.upstreamRepositoryPrefix,
    isValid: false,
    failure: 'cloudlet does not contact upstream registries: the rule is stored and its settings are valid, but no image is pulled through it',
  };
};
