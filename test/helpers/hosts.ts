/**
 * Running a command that must resolve names this machine does not (glibc and Go read /etc/hosts;
 * nothing here resolves *.localhost): in a private mount namespace (`unshare -m`, root) whose
 * /etc/hosts is a copy with the given lines first.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

/** Writes DIR/hosts: `lines` ("127.0.0.1 NAME") before the machine's own /etc/hosts. Returns its path. */
export function hostsFile(dir: string, lines: string[]): string {
  const file = join(dir, 'hosts');
  writeFileSync(file, `${lines.join('\n')}\n${readFileSync('/etc/hosts', 'utf8')}`);
  return file;
}

/** The command and arguments that run `cmd args` with DIR/hosts (see hostsFile) bound over /etc/hosts. */
export function withHosts(dir: string, lines: string[], cmd: string, args: string[]): { cmd: string; args: string[] } {
  const file = hostsFile(dir, lines);
  return { cmd: 'unshare', args: ['-m', 'sh', '-c', 'mount --bind "$0" /etc/hosts && exec "$@"', file, cmd, ...args] };
}
