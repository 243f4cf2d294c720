/**
 * The registry's own settings: one REGISTRY_SETTINGS row per registry (id REGISTRY_ID) holding
 * the registry policy, replication and scanning configuration, repository creation templates,
 * pull-through cache rules, account settings, the signing configuration and pull-time update
 * exclusions. Written only here (policies.ts, templates.ts and registry-config.ts go through
 * updateSettings).
 */
import type { Scope, Tx } from '../../store/types.js';
import { REGISTRY_ID, REGISTRY_SETTINGS } from './records.js';

export interface ScanningRule {
  scanFrequency: 'SCAN_ON_PUSH' | 'CONTINUOUS_SCAN' | 'MANUAL';
  repositoryFilters: Array<{ filter: string; filterType: 'WILDCARD' }>;
}

export interface ScanningConfiguration {
  scanType: 'BASIC' | 'ENHANCED';
  rules: ScanningRule[];
}

export interface ReplicationRule {
  destinations: Array<{ region: string; registryId: string }>;
  repositoryFilters?: Array<{ filter: string; filterType: 'PREFIX_MATCH' }>;
}

export interface CreationTemplate {
  prefix: string;
  description?: string;
  encryptionConfiguration?: { encryptionType: string; kmsKey?: string };
  resourceTags: Array<{ Key: string; Value: string }>;
  imageTagMutability: string;
  imageTagMutabilityExclusionFilters?: Array<{ filterType: string; filter: string }>;
  repositoryPolicy?: string;
  lifecyclePolicy?: string;
  appliedFor: string[];
  customRoleArn?: string;
  createdAtMs: number;
  updatedAtMs: number;
}

export interface PullThroughCacheRule {
  ecrRepositoryPrefix: string;
  upstreamRegistryUrl: string;
  upstreamRegistry?: string;
  credentialArn?: string;
  customRoleArn?: string;
  upstreamRepositoryPrefix?: string;
  createdAtMs: number;
  updatedAtMs?: number;
}

export interface RegistrySettings {
  policy?: string;
  replication?: { rules: ReplicationRule[] };
  scanning?: ScanningConfiguration;
  templates?: CreationTemplate[];
  pullThroughCache?: PullThroughCacheRule[];
  accountSettings?: Record<string, string>;
  signing?: { rules: Array<{ signingProfileArn: string; repositoryFilters?: Array<{ filter: string; filterType: string }> }> };
  pullTimeExclusions?: Array<{ principalArn: string; createdAtMs: number }>;
}

export function registrySettings(tx: Tx, scope: Scope): RegistrySettings {
  return tx.get<RegistrySettings>(scope, REGISTRY_SETTINGS, REGISTRY_ID) ?? {};
}

export function updateSettings(tx: Tx, scope: Scope, change: (s: RegistrySettings) => RegistrySettings): RegistrySettings {
  const next = change(registrySettings(tx, scope));
  tx.put(scope, REGISTRY_SETTINGS, REGISTRY_ID, next);
  return next;
}

/** A registry with no scanning configuration scans as AWS's default: BASIC, no rules. */
export const DEFAULT_SCANNING: ScanningConfiguration = { scanType: 'BASIC', rules: [] };

/**
 * The registry scanning configuration (the scan engineer reads it: a repository matching a
 * SCAN_ON_PUSH rule's filter is scanned on push whatever its own scanOnPush says).
 */
export function registryScanning(tx: Tx, scope: Scope): ScanningConfiguration {
  return registrySettings(tx, scope).scanning ?? DEFAULT_SCANNING;
}

/** ECR's WILDCARD filter: `*` matches any run of characters, everything else itself. */
export function wildcardMatches(filter: string, name: string): boolean {
  const re = new RegExp(`^${filter.split('*').map((p) => p.replace(/[.+?^${}()|[\]\\/]/g, '\\$&')).join('.*')}$`);
  return re.test(name);
}

/** The rules of the registry scanning configuration that apply to one repository. */
export function scanningRulesFor(cfg: ScanningConfiguration, repo: string): ScanningRule[] {
  return cfg.rules.filter((r) => r.repositoryFilters.some((f) => wildcardMatches(f.filter, repo)));
}
