import { CostExplorerClient, GetCostAndUsageCommand } from '@aws-sdk/client-cost-explorer';
import { day } from './clock.js';
import { clientConfig } from './server.js';

/** One service's usage quantity and UnblendedCost by usage type over [fromMs, toMs), summed over the months (Cost Explorer, SDK v3). */
export async function usageByType(url: string, service: string, fromMs: number, toMs: number): Promise<Map<string, { q: number; usd: number }>> {
  const ce = new CostExplorerClient(clientConfig(url));
  try {
    const r = await ce.send(new GetCostAndUsageCommand({
      TimePeriod: { Start: day(fromMs), End: day(toMs) }, Granularity: 'MONTHLY', Metrics: ['UsageQuantity', 'UnblendedCost'],
      Filter: { Dimensions: { Key: 'SERVICE', Values: [service] } }, GroupBy: [{ Type: 'DIMENSION', Key: 'USAGE_TYPE' }],
    }));
    const out = new Map<string, { q: number; usd: number }>();
    for (const b of r.ResultsByTime ?? []) {
      for (const g of b.Groups ?? []) {
        const e = out.get(g.Keys![0]!) ?? { q: 0, usd: 0 };
        e.q += Number(g.Metrics!.UsageQuantity!.Amount);
        e.usd += Number(g.Metrics!.UnblendedCost!.Amount);
        out.set(g.Keys![0]!, e);
      }
    }
    return out;
  } finally {
    ce.destroy();
  }
}
