/**
 * Scan on push for images the registry created, as PutImage does: when the repository (or the
 * registry's scanning configuration) says so, the scan module records the scan in the push's
 * transaction and runs it after the commit.
 */
import type { Scope, Tx } from '../../../store/types.js';
import type { RequestContext } from '../../types.js';
import type { RepositoryRecord } from '../records.js';

interface ScanModule {
  shouldScanOnPush(tx: Tx, scope: Scope, repo: RepositoryRecord): boolean;
  startScan(ctx: RequestContext, scope: Scope, repo: string, digest: string): void;
}

/** The scan module (src/services/ecr/scan/, another area): loaded when first needed. */
const SCAN_MODULE = '../scan/index.js';

export async function afterPush(ctx: RequestContext, scope: Scope, repo: RepositoryRecord, digest: string): Promise<void> {
  let scan: ScanModule;
  try {
    scan = (await import(SCAN_MODULE)) as ScanModule;
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ERR_MODULE_NOT_FOUND') return;
    throw e;
  }
  if (scan.shouldScanOnPush(ctx.tx, scope, repo)) scan.startScan(ctx, scope, repo.name, digest);
}
