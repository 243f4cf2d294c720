import type { ServiceAuthz } from './types.js';

/**
 * A service's authorization overrides: the default export of src/services/<name>/authz.ts
 * when that file exists (most services need none). Found by convention, so adding a
 * service needs no change here.
 */
export async function loadServiceAuthz(service: string): Promise<ServiceAuthz> {
  if (!/^[a-z0-9-]+$/.test(service)) return {};
  const url = new URL(`../${service}/authz.js`, import.meta.url);
  try {
    const mod = (await import(url.href)) as { default?: ServiceAuthz };
    return mod.default ?? {};
  } catch (err) {
    const e = err as NodeJS.ErrnoException & { url?: string };
    // Only "this service has no authz.ts" means no overrides; any other failure is a bug.
    if (e.code === 'ERR_MODULE_NOT_FOUND' && (e.url === url.href || e.message.includes(`${service}/authz.`))) return {};
    throw err;
  }
}
