import type { Scope, Tx } from '../../../store/types.js';
import type { RouteTableRecord } from './records.js';

/**
 * The route table a subnet uses: the one explicitly associated with it, else its VPC's main
 * table. Only store reads: the authorizer (endpoint policies) and the cost meter (egress) use it.
 */
export function subnetRouteTable(tx: Tx, scope: Scope, vpcId: string, subnetId: string): RouteTableRecord | undefined {
  return tx.findBy<RouteTableRecord>(scope, 'ec2:route-table', 'subnet', { key: subnetId, limit: 1 })[0]?.value
    ?? tx.findBy<RouteTableRecord>(scope, 'ec2:route-table', 'vpc', { key: vpcId }).map((h) => h.value).find((t) => t.associations.some((a) => a.main));
}
