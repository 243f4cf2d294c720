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
    // A template literal, not url.href: the bundler (scripts/bundle.mjs) turns it into a
    // lookup over every services/*/authz.js, each a chunk loaded on first use.
    const mod = (await import(`../${service}/authz.js`)) as { default?: ServiceAuthz };
    return mod.default ?? {};
  } catch (err) {
    const e = err as NodeJS.ErrnoException & { url?: string };
    // Only "this service has no authz.ts" means no overrides; any other failure is a bug.
    // Node says ERR_MODULE_NOT_FOUND; the bundle's lookup says "Module not found in bundle".
    const missing = e.code === 'ERR_MODULE_NOT_FOUND' || (e.code === undefined && e.message.startsWith('Module not found in bundle'));
    if (missing && (e.url === url.href || e.message.includes(`${service}/authz.`))) return {};
    throw err;
  }
}
