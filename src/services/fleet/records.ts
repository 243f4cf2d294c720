/**
 * The fleet engine's own rows. Per {account, region}: FLEET_STATE (id 'state') says when
 * anything in that scope next falls due. Globally: one FLEET_INDEX row per scope with work, so
 * a clock move or the background timer finds the scopes to settle without scanning.
 */
import { GLOBAL_ACCOUNT, type Scope } from '../../store/types.js';

export const FLEET_STATE = 'fleet:state';
export const FLEET_INDEX = 'fleet:index';
export const FLEET_STATE_ID = 'state';
export const FLEET_INDEX_SCOPE: Scope = { account: GLOBAL_ACCOUNT, region: '' };

export interface FleetState {
  /** Earliest clock time anything in this scope may fall due (Infinity is stored as absent). */
  dueMs?: number;
  /** The clock time the scope was last settled to. */
  settledMs: number;
}

export interface FleetIndexRow {
  account: string;
  region: string;
  dueMs: number;
}

export const indexId = (scope: Scope): string => `${scope.account}\u0000${scope.region}`;
