/**
 * Registry-wide configuration handlers: DescribeRegistry and PutReplicationConfiguration
 * (stored and validated; cloudlet does not copy images to other regions or accounts),
 * registry scanning configuration, BatchGetRepositoryScanningConfiguration, account settings,
 * the signing configuration and pull-time update exclusions (stored).
 */
import type {
  BatchGetRepositoryScanningConfigurationRequest, BatchGetRepositoryScanningConfigurationResponse, DeleteSigningConfigurationResponse,
  DeregisterPullTimeUpdateExclusionRequest, DeregisterPullTimeUpdateExclusionResponse, DescribeRegistryResponse,
  GetAccountSettingRequest, GetAccountSettingResponse, GetRegistryScanningConfigurationResponse, GetSigningConfigurationResponse,
  ListPullTimeUpdateExclusionsRequest, ListPullTimeUpdateExclusionsResponse, PutAccountSettingRequest, PutAccountSettingResponse,
  PutRegistryScanningConfigurationRequest, PutRegistryScanningConfigurationResponse, PutReplicationConfigurationRequest,
  PutReplicationConfigurationResponse, PutSigningConfigurationRequest, PutSigningConfigurationResponse,
  RegisterPullTimeUpdateExclusionRequest, RegisterPullTimeUpdateExclusionResponse, RepositoryScanningConfiguration,
} from '@aws-sdk/client-ecr';
import { AwsError } from '../../core/errors.js';
import { decodePageToken, encodePageToken } from '../../core/page-token.js';
import { isRegion } from '../../core/regions.js';
import type { Handler } from '../types.js';
import { findRepository, invalidParameter, requestScope } from './repositories.js';
import {
  registryScanning, registrySettings, scanningRulesFor, updateSettings, wildcardMatches, type ReplicationRule, type ScanningConfiguration,
} from './settings.js';

const FILTER_PREFIX = /^(?:[a-z0-9]+(?:[._-][a-z0-9]*)*\/)*[a-z0-9]*(?:[._-][a-z0-9]*)*$/;

export const describeRegistry: Handler<object, DescribeRegistryResponse> = (_input, ctx) => {
  const scope = requestScope(ctx, undefined);
  return { registryId: scope.account, replicationConfiguration: registrySettings(ctx.tx, scope).replication ?? { rules: [] } };
};

export const putReplicationConfiguration: Handler<PutReplicationConfigurationRequest, PutReplicationConfigurationResponse> = (input, ctx) => {
  const scope = requestScope(ctx, undefined);
  const rules = input.replicationConfiguration?.rules ?? [];
  if (rules.length > 10) throw invalidParameter('replicationConfiguration.rules', 'Member must have length less than or equal to 10');
  let total = 0;
  const seen = new Set<string>();
  const stored: ReplicationRule[] = rules.map((r, i) => {
    const where = `replicationConfiguration.rules.${i + 1}.member`;
    const destinations = (r.destinations ?? []).map((d, j) => {
      const at = `${where}.destinations.${j + 1}.member`;
      if (!d.region || !isRegion(d.region)) throw invalidParameter(`${at}.region`, `Invalid region: ${d.region ?? ''}`);
      if (!d.registryId || !/^\d{12}$/.test(d.registryId)) throw invalidParameter(`${at}.registryId`, 'Member must satisfy regular expression pattern: [0-9]{12}');
      if (d.region === scope.region && d.registryId === scope.account) {
        throw new AwsError('InvalidParameterException', 'Invalid parameter: a replication destination cannot be the source registry and region');
      }
      const key = `${d.registryId}/${d.region}`;
      if (seen.has(key)) throw new AwsError('InvalidParameterException', `Invalid parameter: the replication destination ${key} is given more than once`);
      seen.add(key);
      return { region: d.region, registryId: d.registryId };
    });
    total += destinations.length;
    const out: ReplicationRule = { destinations };
    if (r.repositoryFilters) {
      if (r.repositoryFilters.length > 100) throw invalidParameter(`${where}.repositoryFilters`, 'Member must have length less than or equal to 100');
      out.repositoryFilters = r.repositoryFilters.map((f, j) => {
        if (f.filterType !== 'PREFIX_MATCH') throw invalidParameter(`${where}.repositoryFilters.${j + 1}.member.filterType`, 'Member must satisfy enum value set: [PREFIX_MATCH]');
        if (!f.filter || f.filter.length < 2 || !FILTER_PREFIX.test(f.filter)) {
          throw invalidParameter(`${where}.repositoryFilters.${j + 1}.member.filter`, 'Member must satisfy regular expression pattern: ^(?:[a-z0-9]+(?:[._-][a-z0-9]*)*/)*[a-z0-9]*(?:[._-][a-z0-9]*)*$');
        }
        return { filter: f.filter, filterType: 'PREFIX_MATCH' as const };
      });
    }
    return out;
  });
  if (total > 25) throw new AwsError('InvalidParameterException', 'Invalid parameter: a replication configuration may have at most 25 unique destinations');
  updateSettings(ctx.tx, scope, (s) => ({ ...s, replication: { rules: stored } }));
  return { replicationConfiguration: { rules: stored } };
};

const SCAN_FILTER = /^[a-z0-9*](?:[._\-/a-z0-9*]?[a-z0-9*]+)*$/;

export const putRegistryScanningConfiguration: Handler<PutRegistryScanningConfigurationRequest, PutRegistryScanningConfigurationResponse> = (input, ctx) => {
  const scope = requestScope(ctx, undefined);
  const scanType = input.scanType ?? 'BASIC';
  const rules = input.rules ?? [];
  if (rules.length > 2) throw invalidParameter('rules', 'Member must have length less than or equal to 2');
  const cfg: ScanningConfiguration = {
    scanType,
    rules: rules.map((r, i) => {
      const where = `rules.${i + 1}.member`;
      const freq = r.scanFrequency;
      if (scanType === 'BASIC' && freq === 'CONTINUOUS_SCAN') {
        throw new AwsError('InvalidParameterException', 'Invalid parameter: CONTINUOUS_SCAN is only supported with the ENHANCED scan type');
      }
      const filters = r.repositoryFilters ?? [];
      if (filters.length === 0) throw invalidParameter(`${where}.repositoryFilters`, 'Member must have length greater than or equal to 1');
      if (filters.length > 100) throw invalidParameter(`${where}.repositoryFilters`, 'Member must have length less than or equal to 100');
      return {
        scanFrequency: freq!,
        repositoryFilters: filters.map((f, j) => {
          if (f.filterType !== 'WILDCARD') throw invalidParameter(`${where}.repositoryFilters.${j + 1}.member.filterType`, 'Member must satisfy enum value set: [WILDCARD]');
          if (!f.filter || !SCAN_FILTER.test(f.filter)) {
            throw invalidParameter(`${where}.repositoryFilters.${j + 1}.member.filter`, 'Member must satisfy regular expression pattern: ^[a-z0-9*](?:[._\\-/a-z0-9*]?[a-z0-9*]+)*$');
          }
          return { filter: f.filter, filterType: 'WILDCARD' as const };
        }),
      };
    }),
  };
  const freqs = cfg.rules.map((r) => r.scanFrequency);
  if (new Set(freqs).size !== freqs.length) throw new AwsError('InvalidParameterException', 'Invalid parameter: each scan frequency may appear in one rule only');
  updateSettings(ctx.tx, scope, (s) => ({ ...s, scanning: cfg }));
  return { registryScanningConfiguration: cfg };
};

export const getRegistryScanningConfiguration: Handler<object, GetRegistryScanningConfigurationResponse> = (_input, ctx) => {
  const scope = requestScope(ctx, undefined);
  return { registryId: scope.account, scanningConfiguration: registryScanning(ctx.tx, scope) };
};

export const batchGetRepositoryScanningConfiguration: Handler<BatchGetRepositoryScanningConfigurationRequest, BatchGetRepositoryScanningConfigurationResponse> = (input, ctx) => {
  const scope = requestScope(ctx, undefined);
  const cfg = registryScanning(ctx.tx, scope);
  const out: BatchGetRepositoryScanningConfigurationResponse = { scanningConfigurations: [], failures: [] };
  for (const name of input.repositoryNames ?? []) {
    const repo = findRepository(ctx.tx, scope, name);
    if (!repo) {
      out.failures!.push({ repositoryName: name, failureCode: 'REPOSITORY_NOT_FOUND', failureReason: 'REPOSITORY_NOT_FOUND' });
      continue;
    }
    const matched = scanningRulesFor(cfg, name);
    // The most frequent matching rule applies; the repository's own scanOnPush still counts.
    const order = ['CONTINUOUS_SCAN', 'SCAN_ON_PUSH', 'MANUAL'] as const;
    const rule = order.map((f) => matched.find((r) => r.scanFrequency === f)).find((r) => r !== undefined);
    const frequency = rule?.scanFrequency ?? (repo.scanOnPush ? 'SCAN_ON_PUSH' : 'MANUAL');
    const entry: RepositoryScanningConfiguration = {
      repositoryArn: repo.arn,
      repositoryName: name,
      scanOnPush: repo.scanOnPush || frequency === 'SCAN_ON_PUSH' || frequency === 'CONTINUOUS_SCAN',
      scanFrequency: frequency,
      appliedScanFilters: rule ? rule.repositoryFilters.filter((f) => wildcardMatches(f.filter, name)) : [],
    };
    out.scanningConfigurations!.push(entry);
  }
  return out;
};

/** Account settings ECR knows, with their values and AWS's defaults. */
const ACCOUNT_SETTINGS: Record<string, { values: string[]; default: string }> = {
  BASIC_SCAN_TYPE_VERSION: { values: ['AWS_NATIVE', 'CLAIR'], default: 'AWS_NATIVE' },
  REGISTRY_POLICY_SCOPE: { values: ['V1', 'V2'], default: 'V2' },
  BLOB_MOUNTING: { values: ['ENABLED', 'DISABLED'], default: 'DISABLED' },
};

function accountSetting(name: string | undefined): { values: string[]; default: string } {
  const s = name !== undefined ? ACCOUNT_SETTINGS[name] : undefined;
  if (!s) throw new AwsError('InvalidParameterException', `Invalid parameter at 'name' failed to satisfy constraint: 'Account setting name must be one of [${Object.keys(ACCOUNT_SETTINGS).join(', ')}]'`);
  return s;
}

export const getAccountSetting: Handler<GetAccountSettingRequest, GetAccountSettingResponse> = (input, ctx) => {
  const s = accountSetting(input.name);
  const stored = registrySettings(ctx.tx, requestScope(ctx, undefined)).accountSettings?.[input.name!];
  return { name: input.name, value: stored ?? s.default };
};

export const putAccountSetting: Handler<PutAccountSettingRequest, PutAccountSettingResponse> = (input, ctx) => {
  const s = accountSetting(input.name);
  if (!input.value || !s.values.includes(input.value)) {
    throw new AwsError('InvalidParameterException', `Invalid parameter at 'value' failed to satisfy constraint: 'The value of ${input.name} must be one of [${s.values.join(', ')}]'`);
  }
  updateSettings(ctx.tx, requestScope(ctx, undefined), (x) => ({ ...x, accountSettings: { ...x.accountSettings, [input.name!]: input.value! } }));
  return { name: input.name, value: input.value };
};

const SIGNING_FILTER = /^(?:[a-z0-9*]+(?:[._-][a-z0-9*]+)*\/)*[a-z0-9*]+(?:[._-][a-z0-9*]+)*$/;
const SIGNING_PROFILE = /^arn:aws(-[a-z]+)*:signer:[a-z0-9-]+:[0-9]{12}:\/signing-profiles\/[a-zA-Z0-9_]{2,}$/;

export const putSigningConfiguration: Handler<PutSigningConfigurationRequest, PutSigningConfigurationResponse> = (input, ctx) => {
  const rules = input.signingConfiguration?.rules ?? [];
  if (rules.length > 10) throw invalidParameter('signingConfiguration.rules', 'Member must have length less than or equal to 10');
  const stored = rules.map((r, i) => {
    const where = `signingConfiguration.rules.${i + 1}.member`;
    if (!r.signingProfileArn || !SIGNING_PROFILE.test(r.signingProfileArn)) {
      throw invalidParameter(`${where}.signingProfileArn`, 'Member must satisfy regular expression pattern: ^arn:aws(-[a-z]+)*:signer:[a-z0-9-]+:[0-9]{12}:\\/signing-profiles\\/[a-zA-Z0-9_]{2,}$');
    }
    const out: { signingProfileArn: string; repositoryFilters?: Array<{ filter: string; filterType: string }> } = { signingProfileArn: r.signingProfileArn };
    if (r.repositoryFilters) {
      out.repositoryFilters = r.repositoryFilters.map((f, j) => {
        if (f.filterType !== 'WILDCARD_MATCH') throw invalidParameter(`${where}.repositoryFilters.${j + 1}.member.filterType`, 'Member must satisfy enum value set: [WILDCARD_MATCH]');
        if (!f.filter || !SIGNING_FILTER.test(f.filter)) throw invalidParameter(`${where}.repositoryFilters.${j + 1}.member.filter`, 'Member must satisfy regular expression pattern');
        return { filter: f.filter, filterType: f.filterType };
      });
    }
    return out;
  });
  updateSettings(ctx.tx, requestScope(ctx, undefined), (s) => ({ ...s, signing: { rules: stored } }));
  return { signingConfiguration: { rules: stored } as PutSigningConfigurationResponse['signingConfiguration'] };
};

function signingOrThrow(ctx: Parameters<Handler>[1]) {
  const scope = requestScope(ctx, undefined);
  const signing = registrySettings(ctx.tx, scope).signing;
  if (!signing) throw new AwsError('SigningConfigurationNotFoundException', `The signing configuration does not exist in the registry with id '${scope.account}'`);
  return { scope, signing };
}

export const getSigningConfiguration: Handler<object, GetSigningConfigurationResponse> = (_input, ctx) => {
  const { scope, signing } = signingOrThrow(ctx);
  return { registryId: scope.account, signingConfiguration: signing as GetSigningConfigurationResponse['signingConfiguration'] };
};

export const deleteSigningConfiguration: Handler<object, DeleteSigningConfigurationResponse> = (_input, ctx) => {
  const { scope, signing } = signingOrThrow(ctx);
  updateSettings(ctx.tx, scope, (s) => {
    const { signing: _gone, ...rest } = s;
    return rest;
  });
  return { registryId: scope.account, signingConfiguration: signing as DeleteSigningConfigurationResponse['signingConfiguration'] };
};

const MAX_EXCLUSIONS = 100;

export const registerPullTimeUpdateExclusion: Handler<RegisterPullTimeUpdateExclusionRequest, RegisterPullTimeUpdateExclusionResponse> = (input, ctx) => {
  const arn = input.principalArn!;
  const scope = requestScope(ctx, undefined);
  const list = registrySettings(ctx.tx, scope).pullTimeExclusions ?? [];
  if (list.some((e) => e.principalArn === arn)) throw new AwsError('ExclusionAlreadyExistsException', `The principal '${arn}' is already excluded from pull-time updates`);
  if (list.length >= MAX_EXCLUSIONS) throw new AwsError('LimitExceededException', `The registry already has ${MAX_EXCLUSIONS} pull-time update exclusions, the maximum`);
  const createdAtMs = ctx.clock.nowMs();
  updateSettings(ctx.tx, scope, (s) => ({ ...s, pullTimeExclusions: [...list, { principalArn: arn, createdAtMs }] }));
  return { principalArn: arn, createdAt: new Date(createdAtMs) };
};

export const deregisterPullTimeUpdateExclusion: Handler<DeregisterPullTimeUpdateExclusionRequest, DeregisterPullTimeUpdateExclusionResponse> = (input, ctx) => {
  const arn = input.principalArn!;
  const scope = requestScope(ctx, undefined);
  const list = registrySettings(ctx.tx, scope).pullTimeExclusions ?? [];
  if (!list.some((e) => e.principalArn === arn)) throw new AwsError('ExclusionNotFoundException', `The principal '${arn}' is not excluded from pull-time updates`);
  updateSettings(ctx.tx, scope, (s) => ({ ...s, pullTimeExclusions: list.filter((e) => e.principalArn !== arn) }));
  return { principalArn: arn };
};

export const listPullTimeUpdateExclusions: Handler<ListPullTimeUpdateExclusionsRequest, ListPullTimeUpdateExclusionsResponse> = (input, ctx) => {
  const scope = requestScope(ctx, undefined);
  const all = (registrySettings(ctx.tx, scope).pullTimeExclusions ?? []).map((e) => e.principalArn).sort();
  const binding = { service: 'ecr', operation: 'ListPullTimeUpdateExclusions' };
  let after: string | undefined;
  if (input.nextToken !== undefined) {
    after = decodePageToken(binding, input.nextToken);
    if (after === undefined) throw invalidParameter('nextToken', 'the token is not valid for this request');
  }
  const rest = after === undefined ? all : all.filter((a) => a > after!);
  const max = input.maxResults ?? 100;
  const page = rest.slice(0, max);
  return { pullTimeUpdateExclusions: page, nextToken: rest.length > max ? encodePageToken(binding, page[page.length - 1]!) : undefined };
};
