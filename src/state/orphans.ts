import type { BlobStore, Store } from '../store/types.js';
import { collectBlobRefs } from './reset.js';

/**
 * Removes blobs no row mentions. A crash between a blob write and its metadata commit, or between
 * a commit and the deletes it scheduled (ctx.afterCommit), leaves such blobs; nothing can reach
 * them. Run at start, before anything is served (no upload is in flight then). Returns how many.
 */
export async function collectOrphanBlobs(store: Store, blobs: BlobStore): Promise<number> {
  const live = blobs.ids();
  if (live.length === 0) return 0;
  const known = new Set(live);
  const referenced = new Set<string>();
  await store.exclusive((ops) => ops.scan((row) => collectBlobRefs(row.json, known, referenced)));
  let removed = 0;
  for (const id of live) {
    if (referenced.has(id)) continue;
    blobs.delete(id);
    removed++;
  }
  return removed;
}
