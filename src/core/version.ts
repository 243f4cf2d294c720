import { readFileSync } from 'node:fs';

function readVersion(): string {
  for (const rel of ['../../package.json', '../../../package.json']) {
    try {
      return (JSON.parse(readFileSync(new URL(rel, import.meta.url), 'utf8')) as { version: string }).version;
    } catch {
      // Source and compiled layouts sit at different depths; try the next.
    }
  }
  return '0.0.0';
}

export const VERSION = readVersion();
