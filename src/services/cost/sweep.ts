/**
 * Meters what a data directory held before the meter existed: every billable record without
 * open segments gets them, from the record's own start where it states one (an instance's
 * running time, a volume's creation), so an older state's resources bill from when they began.
 * Runs once per data directory (meta cost_meter_version), in one transaction at start-up.
 */
import type { Store } from '../../store/types.js';
import { LINE_SOURCES } from './lines.js';
import { meterResource, OPEN_KIND } from './meter.js';

export const METER_VERSION = '1';

export async function sweepUnmetered(store: Store, nowMs: number): Promise<number> {
  if (store.getMeta('cost_meter_version') === METER_VERSION) return 0;
  const n = await store.transaction((tx) => {
    let metered = 0;
    for (const s of tx.scopes()) {
      if (!LINE_SOURCES[s.kind]) continue;
      const scope = { account: s.account, region: s.region };
      for (const r of tx.list(scope, s.kind)) {
        if (tx.get(scope, OPEN_KIND, `${s.kind}\u0000${r.id}`)) continue;
        meterResource(tx, scope, s.kind, r.id, nowMs);
        metered++;
      }
    }
    return metered;
  });
  store.setMeta('cost_meter_version', METER_VERSION);
  return n;
}
