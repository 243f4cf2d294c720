import { StateError } from './errors.js';

/** Snapshot names: 1 to 64 of A-Z a-z 0-9 . _ - ; never '.' or '..' (they name directories). */
const NAME = /^[A-Za-z0-9._-]{1,64}$/;

export function checkSnapshotName(name: unknown): string {
  if (typeof name !== 'string' || !NAME.test(name) || name === '.' || name === '..') {
    const shown = typeof name === 'string' ? JSON.stringify(name.length > 80 ? `${name.slice(0, 80)}…` : name) : String(name);
    throw new StateError(
      'InvalidSnapshotName',
      `invalid snapshot name ${shown}: use 1 to 64 characters from A-Z a-z 0-9 . _ - (not '.' or '..')`,
    );
  }
  return name;
}
