/**
 * Failures of state operations that a caller can act on, with the HTTP status the admin API
 * answers with. Anything else is an internal failure (500).
 */
export type StateErrorCode =
  | 'InvalidSnapshotName'
  | 'NoSuchSnapshot'
  | 'InvalidArchive'
  | 'UnsupportedVersion'
  | 'InvalidResetFilter'
  | 'InsufficientStorage'
  | 'ServerRunning';

const STATUS: Record<StateErrorCode, number> = {
  InvalidSnapshotName: 400,
  NoSuchSnapshot: 404,
  InvalidArchive: 400,
  UnsupportedVersion: 409,
  InvalidResetFilter: 400,
  InsufficientStorage: 507,
  ServerRunning: 409,
};

export class StateError extends Error {
  readonly status: number;

  constructor(readonly code: StateErrorCode, message: string) {
    super(message);
    this.name = 'StateError';
    this.status = STATUS[code];
  }
}

export const isStateError = (e: unknown): e is StateError => e instanceof StateError;

/** A full disk (or quota) becomes a clear InsufficientStorage error; anything else is passed on. */
export function diskFull(err: unknown, what: string): unknown {
  const code = (err as NodeJS.ErrnoException)?.code;
  if (code === 'ENOSPC' || code === 'EDQUOT' || /SQLITE_FULL|database or disk is full/i.test(String((err as Error)?.message))) {
    return new StateError('InsufficientStorage', `${what} failed: the disk is full (${code ?? 'SQLITE_FULL'}); nothing was changed`);
  }
  return err;
}
