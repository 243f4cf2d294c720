import { chmodSync, closeSync, lstatSync, mkdirSync, openSync, readdirSync, realpathSync } from 'node:fs';
import { join } from 'node:path';

/**
 * State holds plain-text secrets (IAM secret keys, session tokens), so it is the user's
 * alone: the data directory and every directory under it 0700, every file 0600. Files are
 * created with these modes; `tightenTree` fixes what an older cloudlet (or a copy, or an
 * unpacked backup) left looser. Modes are only ever narrowed, never widened.
 */
export const DIR_MODE = 0o700;
export const FILE_MODE = 0o600;

/** Creates dir (and missing parents) 0700; an existing dir is narrowed to 0700. */
export function ensurePrivateDir(dir: string): void {
  mkdirSync(dir, { recursive: true, mode: DIR_MODE });
  // The data directory itself may be a symbolic link (to a volume): its target is what counts.
  narrow(realpathSync(dir), DIR_MODE);
}

/** Creates an empty file 0600 if it is missing (SQLite reads an empty file as an empty database). */
export function ensurePrivateFile(file: string): void {
  closeSync(openSync(file, 'a', FILE_MODE));
  narrow(file, FILE_MODE);
}

function narrow(path: string, mode: number): void {
  const st = lstatSync(path, { throwIfNoEntry: false });
  if (!st || st.isSymbolicLink()) return;
  if ((st.mode & 0o777 & ~mode) !== 0) chmodSync(path, st.mode & mode & 0o777);
}

/**
 * Narrows every directory under dir to 0700 and every regular file to 0600 (symbolic
 * links below dir are neither followed nor changed). One lstat per entry; nothing is read.
 */
export function tightenTree(dir: string): void {
  let root: string;
  try {
    root = realpathSync(dir);
  } catch {
    return;
  }
  const st = lstatSync(root, { throwIfNoEntry: false });
  if (!st || st.isSymbolicLink()) return;
  if (!st.isDirectory()) return narrow(root, FILE_MODE);
  narrow(root, DIR_MODE);
  const stack = [root];
  while (stack.length) {
    const dir = stack.pop()!;
    for (const e of readdirSync(dir, { withFileTypes: true })) {
      const p = join(dir, e.name);
      if (e.isDirectory()) {
        narrow(p, DIR_MODE);
        stack.push(p);
      } else if (e.isFile()) {
        narrow(p, FILE_MODE);
      }
    }
  }
}
