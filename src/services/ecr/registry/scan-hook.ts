/**
 * Scan on push for images the registry created, as PutImage does: when the repository (or the
 * registry's scanning configuration) says so, the scan module records the scan in the push's
 * transaction and runs it after the commit.
 */
import type { Scope } from '../../../store/types.js';
import type { RequestContext } from '../../types.js';
import type { RepositoryRecord } from '../records.js';
import { shouldScanOnPush, startScan } from '../scan/index.js';

export function afterPush(ctx: RequestContext, scope: Scope, repo: RepositoryRecord, digest: string): void {
  if (shouldScanOnPush(ctx.tx, scope, repo)) startScan(ctx, scope, repo.name, digest);
}
