import { StateError } from './errors.js';

/** Snapshot names: 1 to 64 of A-Z a-z 0-9 . _ - ; never '.' or '..' (they name directories). */
const NAME = /^[A-Za-z0-9._-]{1,64}$/;

export function checkSnapshotName(name: unknown): string {
  if (typeof name !== 'string' || !NAME.test(name) || name === '.' || name === '..') {
    const kind = Array.isArray(name) ? 'a list' : name === null || name === undefined ? String(name) : typeof name === 'object' ? 'an object' : `a ${typeof name}`;
    const text = typeof name === 'string' ? name : `${JSON.stringify(name) ?? String(name)} (${kind}, not a string)`;
    const shown = typeof name === 'string' ? JSON.stringify(text.length > 80 ? `${text.slice(0, 80)}…` : text) : text.length > 120 ? `${text.slice(0, 120)}…` : text;
    throw new StateError(
      'InvalidSnapshotName',
      `invalid snapshot name ${shown}: use 1 to 64 characters from A-Z a-z 0-9 . _ - (not '.' or '..')`,
    );
  }
  return name;
}
