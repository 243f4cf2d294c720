/**
 * DescribeImageReplicationStatus and DescribeImageSigningStatus. cloudlet stores replication and
 * signing configurations (settings.ts) but neither replicates nor signs: an image no rule covers
 * has no statuses, which is what ECR answers when nothing is configured; an image a rule covers
 * is reported FAILED for each destination or signing profile, saying why, rather than pretending
 * a copy or a signature exists.
 */
import type { ImageReplicationStatus, ImageSigningStatus } from '@aws-sdk/client-ecr';
import type { Scope, Tx } from '../../store/types.js';
import { registrySettings, wildcardMatches } from './settings.js';

export function replicationStatuses(tx: Tx, scope: Scope, repo: string): ImageReplicationStatus[] {
  const out: ImageReplicationStatus[] = [];
  for (const rule of registrySettings(tx, scope).replication?.rules ?? []) {
    const filters = rule.repositoryFilters ?? [];
    if (filters.length && !filters.some((f) => repo.startsWith(f.filter))) continue;
    for (const d of rule.destinations) {
      if (out.some((s) => s.region === d.region && s.registryId === d.registryId)) continue;
      out.push({ region: d.region, registryId: d.registryId, status: 'FAILED', failureCode: 'cloudlet stores the replication configuration but does not replicate images' });
    }
  }
  return out;
}

export function signingStatuses(tx: Tx, scope: Scope, repo: string): ImageSigningStatus[] {
  const out: ImageSigningStatus[] = [];
  for (const rule of registrySettings(tx, scope).signing?.rules ?? []) {
    const filters = rule.repositoryFilters ?? [];
    if (filters.length && !filters.some((f) => wildcardMatches(f.filter, repo))) continue;
    if (out.some((s) => s.signingProfileArn === rule.signingProfileArn)) continue;
    out.push({
      signingProfileArn: rule.signingProfileArn, status: 'FAILED', failureCode: 'SigningNotSupported',
      failureReason: 'cloudlet stores the signing configuration but does not sign images',
    });
  }
  return out;
}
