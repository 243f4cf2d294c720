import { AwsError } from '../../core/errors.js';

export interface Filter {
  Name?: string;
  Values?: string[];
}

/** EC2 filter values take * and ? wildcards; matching is case-sensitive, as on AWS. */
function matcher(value: string): (s: string) => boolean {
  if (!/[*?]/.test(value)) return (s) => s === value;
  const re = new RegExp(`^${value.replace(/[.+^${}()|[\]\\]/g, '\\$&').replace(/\*/g, '.*').replace(/\?/g, '.')}$`, 's');
  return (s) => re.test(s);
}

/**
 * Applies EC2 filters: values within one filter are ORed, filters are ANDed. `fields` maps
 * each supported filter name to the item's value(s); an unsupported name is refused as AWS does.
 */
export function applyFilters<T>(
  items: T[],
  filters: Filter[] | undefined,
  fields: Record<string, (item: T) => string | string[] | undefined>,
): T[] {
  if (!filters?.length) return items;
  const tests = filters.map((f) => {
    const name = f.Name ?? '';
    const get = fields[name];
    if (!get) throw new AwsError('InvalidParameterValue', `The filter '${name}' is invalid`);
    const ms = (f.Values ?? []).map(matcher);
    return (item: T) => {
      const v = get(item);
      const vals = v === undefined ? [] : Array.isArray(v) ? v : [v];
      return vals.some((x) => ms.some((m) => m(x)));
    };
  });
  return items.filter((item) => tests.every((t) => t(item)));
}
