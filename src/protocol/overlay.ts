import type { RawModel } from './model-types.js';

/**
 * A correction to a vendored model, kept as data beside it (models/overlays/ID.json) so that a
 * refresh from botocore never loses it. Each fix is a JSON Merge Patch (RFC 7396) over the raw
 * model: objects merge key by key, `null` deletes a key, anything else replaces. `why` says what
 * is wrong upstream and how it was verified, so the fix can be dropped once upstream is right.
 */
export interface OverlayFix {
  why: string;
  patch: Record<string, unknown>;
}

export interface Overlay {
  model: string;
  fixes: OverlayFix[];
}

type Json = unknown;
const isObject = (v: Json): v is Record<string, Json> => typeof v === 'object' && v !== null && !Array.isArray(v);

/** RFC 7396 merge: returns a new value, never mutates `target`. */
export function mergePatch(target: Json, patch: Json): Json {
  if (!isObject(patch)) return patch;
  const out: Record<string, Json> = isObject(target) ? { ...target } : {};
  for (const [k, v] of Object.entries(patch)) {
    if (v === null) delete out[k];
    else out[k] = mergePatch(out[k], v);
  }
  return out;
}

/** The model with every fix applied, in order. Throws when the overlay names another model. */
export function applyOverlay(raw: RawModel, overlay: Overlay, uid: string): RawModel {
  if (overlay.model !== uid) throw new Error(`overlay for ${overlay.model} applied to model ${uid}`);
  let out: Json = raw;
  for (const fix of overlay.fixes) out = mergePatch(out, fix.patch);
  return out as RawModel;
}

/**
 * Fixes that no longer do anything, each with the reason: a patch that changes nothing
 * (upstream now agrees), or one that would create a shape or operation the model does not have
 * (upstream renamed or removed it, so the fix would silently add a phantom). Checked by the
 * overlay tests after every refresh; the loader itself never refuses to start over it.
 */
export function staleFixes(raw: RawModel, overlay: Overlay): Array<{ fix: OverlayFix; reason: string }> {
  const out: Array<{ fix: OverlayFix; reason: string }> = [];
  for (const fix of overlay.fixes) {
    for (const section of ['shapes', 'operations'] as const) {
      const names = Object.keys((fix.patch[section] as Record<string, Json> | undefined) ?? {});
      const missing = names.filter((n) => !Object.hasOwn(raw[section], n));
      if (missing.length) out.push({ fix, reason: `${section} ${missing.join(', ')} not in the model` });
    }
    if (JSON.stringify(mergePatch(raw, fix.patch)) === JSON.stringify(raw)) out.push({ fix, reason: 'the patch changes nothing' });
  }
  return out;
}
