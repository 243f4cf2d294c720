/**
 * Version ordering per package ecosystem, as each packaging system defines it:
 *   dpkg   Debian policy 5.6.12 (epoch:upstream-revision; `~` sorts before everything, letters
 *          before other characters, digit runs numerically)
 *   apk    Alpine's apk-tools rules (Gentoo-style: numbers, one letter, _alpha/_beta/_pre/_rc
 *          before the release and _cvs/_svn/_git/_hg/_p after it, -rN revision)
 *   rpm    rpmvercmp (epoch:version-release, alternating alphanumeric segments, `~` and `^`)
 *   semver npm (the `semver` package; prerelease tags as semver orders them)
 *   pep440 PyPI (epoch!release, aN/bN/rcN, .postN, .devN, +local)
 * Each compare returns <0, 0 or >0. `comparatorFor` picks one by OSV ecosystem name.
 */
import semver from 'semver';

export type Compare = (a: string, b: string) => number;

// ---- dpkg ----

function dpkgOrder(c: string | undefined): number {
  if (c === undefined) return 0;
  if (c === '~') return -1;
  if (/[0-9]/.test(c)) return 0;
  if (/[A-Za-z]/.test(c)) return c.charCodeAt(0);
  return c.charCodeAt(0) + 256;
}

/** Debian's verrevcmp over one part (upstream or revision). */
function verrevcmp(a: string, b: string): number {
  let i = 0;
  let j = 0;
  while (i < a.length || j < b.length) {
    let firstDiff = 0;
    while ((i < a.length && !/[0-9]/.test(a[i]!)) || (j < b.length && !/[0-9]/.test(b[j]!))) {
      const ac = dpkgOrder(i < a.length && !/[0-9]/.test(a[i]!) ? a[i] : undefined);
      const bc = dpkgOrder(j < b.length && !/[0-9]/.test(b[j]!) ? b[j] : undefined);
      if (ac !== bc) return ac - bc;
      i++;
      j++;
    }
    while (a[i] === '0') i++;
    while (b[j] === '0') j++;
    while (i < a.length && /[0-9]/.test(a[i]!) && j < b.length && /[0-9]/.test(b[j]!)) {
      if (!firstDiff) firstDiff = a.charCodeAt(i) - b.charCodeAt(j);
      i++;
      j++;
    }
    if (i < a.length && /[0-9]/.test(a[i]!)) return 1;
    if (j < b.length && /[0-9]/.test(b[j]!)) return -1;
    if (firstDiff) return firstDiff;
  }
  return 0;
}

function splitDpkg(v: string): { epoch: number; upstream: string; revision: string } {
  v = v.trim();
  const colon = v.indexOf(':');
  const epoch = colon > 0 ? Number(v.slice(0, colon)) || 0 : 0;
  const rest = colon > 0 ? v.slice(colon + 1) : v;
  const dash = rest.lastIndexOf('-');
  return dash >= 0 ? { epoch, upstream: rest.slice(0, dash), revision: rest.slice(dash + 1) } : { epoch, upstream: rest, revision: '' };
}

export const compareDpkg: Compare = (a, b) => {
  const x = splitDpkg(a);
  const y = splitDpkg(b);
  if (x.epoch !== y.epoch) return x.epoch - y.epoch;
  return verrevcmp(x.upstream, y.upstream) || verrevcmp(x.revision, y.revision);
};

// ---- apk ----

const APK_SUFFIX: Record<string, number> = { alpha: -4, beta: -3, pre: -2, rc: -1, cvs: 1, svn: 2, git: 3, hg: 4, p: 5 };
const APK_RE = /^(\d+(?:\.\d+)*)([a-z]?)((?:_(?:alpha|beta|pre|rc|cvs|svn|git|hg|p)\d*)*)(?:~([0-9a-f]+))?(?:-r(\d+))?$/;

interface ApkVersion { nums: string[]; letter: string; suffixes: Array<{ rank: number; n: bigint }>; hash: string; rev: bigint }

function parseApk(v: string): ApkVersion | undefined {
  const m = APK_RE.exec(v.trim());
  if (!m) return undefined;
  const suffixes = [...m[3]!.matchAll(/_([a-z]+)(\d*)/g)].map((s) => ({ rank: APK_SUFFIX[s[1]!]!, n: BigInt(s[2] || '0') }));
  return { nums: m[1]!.split('.'), letter: m[2]!, suffixes, hash: m[4] ?? '', rev: BigInt(m[5] ?? '0') };
}

function cmpBig(a: bigint, b: bigint): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/** A later numeric component: with a leading zero either side it is a decimal fraction (1.01 < 1.1). */
function cmpApkNum(a: string, b: string, first: boolean): number {
  if (!first && (a.startsWith('0') || b.startsWith('0'))) {
    const x = a.replace(/0+$/, '');
    const y = b.replace(/0+$/, '');
    return x < y ? -1 : x > y ? 1 : 0;
  }
  return cmpBig(BigInt(a), BigInt(b));
}

export const compareApk: Compare = (a, b) => {
  const x = parseApk(a);
  const y = parseApk(b);
  // A version apk itself would reject: ordered as plain text, so matching still terminates.
  if (!x || !y) return a < b ? -1 : a > b ? 1 : 0;
  for (let i = 0; i < Math.min(x.nums.length, y.nums.length); i++) {
    const c = cmpApkNum(x.nums[i]!, y.nums[i]!, i === 0);
    if (c) return c;
  }
  if (x.nums.length !== y.nums.length) return x.nums.length - y.nums.length;
  if (x.letter !== y.letter) return x.letter < y.letter ? -1 : 1;
  for (let i = 0; i < Math.max(x.suffixes.length, y.suffixes.length); i++) {
    const s = x.suffixes[i];
    const t = y.suffixes[i];
    if (!s) return t!.rank > 0 ? -1 : 1;
    if (!t) return s.rank > 0 ? 1 : -1;
    if (s.rank !== t.rank) return s.rank - t.rank;
    const c = cmpBig(s.n, t.n);
    if (c) return c;
  }
  if (x.hash !== y.hash) return x.hash < y.hash ? -1 : 1;
  return cmpBig(x.rev, y.rev);
};

// ---- rpm ----

/** rpmvercmp: segments of digits or letters; `~` sorts before all, `^` after the end but before more. */
function rpmvercmp(a: string, b: string): number {
  if (a === b) return 0;
  let i = 0;
  let j = 0;
  while (i < a.length || j < b.length) {
    while (i < a.length && !/[A-Za-z0-9~^]/.test(a[i]!)) i++;
    while (j < b.length && !/[A-Za-z0-9~^]/.test(b[j]!)) j++;
    if (a[i] === '~' || b[j] === '~') {
      if (a[i] !== '~') return 1;
      if (b[j] !== '~') return -1;
      i++; j++;
      continue;
    }
    if (a[i] === '^' || b[j] === '^') {
      if (i >= a.length) return -1;
      if (j >= b.length) return 1;
      if (a[i] !== '^') return 1;
      if (b[j] !== '^') return -1;
      i++; j++;
      continue;
    }
    if (i >= a.length || j >= b.length) break;
    const digit = /[0-9]/.test(a[i]!);
    const re = digit ? /[0-9]/ : /[A-Za-z]/;
    let ie = i;
    let je = j;
    while (ie < a.length && re.test(a[ie]!)) ie++;
    while (je < b.length && re.test(b[je]!)) je++;
    let x = a.slice(i, ie);
    let y = b.slice(j, je);
    if (!y) return digit ? 1 : -1;
    if (digit) {
      x = x.replace(/^0+/, '');
      y = y.replace(/^0+/, '');
      if (x.length !== y.length) return x.length - y.length;
    }
    if (x !== y) return x < y ? -1 : 1;
    i = ie;
    j = je;
  }
  if (i >= a.length && j >= b.length) return 0;
  return i >= a.length ? -1 : 1;
}

export const compareRpm: Compare = (a, b) => {
  const split = (v: string) => {
    const colon = v.indexOf(':');
    const epoch = colon > 0 ? Number(v.slice(0, colon)) || 0 : 0;
    const rest = colon > 0 ? v.slice(colon + 1) : v;
    const dash = rest.lastIndexOf('-');
    return { epoch, version: dash >= 0 ? rest.slice(0, dash) : rest, release: dash >= 0 ? rest.slice(dash + 1) : '' };
  };
  const x = split(a.trim());
  const y = split(b.trim());
  if (x.epoch !== y.epoch) return x.epoch - y.epoch;
  const c = rpmvercmp(x.version, y.version);
  if (c || !x.release || !y.release) return c;
  return rpmvercmp(x.release, y.release);
};

// ---- semver (npm) ----

export const compareSemver: Compare = (a, b) => {
  const x = semver.valid(a, { loose: true }) ?? semver.coerce(a, { includePrerelease: true })?.version;
  const y = semver.valid(b, { loose: true }) ?? semver.coerce(b, { includePrerelease: true })?.version;
  if (!x || !y) return a < b ? -1 : a > b ? 1 : 0;
  return semver.compare(x, y, { loose: true });
};

// ---- PEP 440 (PyPI) ----

const PEP440_RE = /^v?(?:(\d+)!)?(\d+(?:\.\d+)*)(?:[-_.]?(a|alpha|b|beta|rc|c|pre|preview)[-_.]?(\d*))?(?:-(\d+)|[-_.]?(post|rev|r)[-_.]?(\d*))?(?:[-_.]?(dev)[-_.]?(\d*))?(?:\+([a-z0-9]+(?:[-_.][a-z0-9]+)*))?$/i;

interface Pep440 { epoch: bigint; release: bigint[]; pre?: [number, bigint]; post?: bigint; dev?: bigint; local: string[] }

function parsePep440(v: string): Pep440 | undefined {
  const m = PEP440_RE.exec(v.trim());
  if (!m) return undefined;
  const preKind = m[3]?.toLowerCase();
  const preRank = preKind === undefined ? undefined : preKind.startsWith('a') ? 0 : preKind.startsWith('b') ? 1 : 2;
  const release = m[2]!.split('.').map(BigInt);
  while (release.length > 1 && release[release.length - 1] === 0n) release.pop();
  return {
    epoch: BigInt(m[1] ?? '0'),
    release,
    pre: preRank === undefined ? undefined : [preRank, BigInt(m[4] || '0')],
    post: m[5] !== undefined ? BigInt(m[5]) : m[6] !== undefined ? BigInt(m[7] || '0') : undefined,
    dev: m[8] !== undefined ? BigInt(m[9] || '0') : undefined,
    local: m[10] ? m[10].toLowerCase().split(/[-_.]/) : [],
  };
}

export const comparePep440: Compare = (a, b) => {
  const x = parsePep440(a);
  const y = parsePep440(b);
  if (!x || !y) return a < b ? -1 : a > b ? 1 : 0;
  let c = cmpBig(x.epoch, y.epoch);
  if (c) return c;
  for (let i = 0; i < Math.max(x.release.length, y.release.length); i++) {
    c = cmpBig(x.release[i] ?? 0n, y.release[i] ?? 0n);
    if (c) return c;
  }
  // Pre-release phase: a dev release of the final (1.0.dev1) sorts before every pre-release.
  const preKey = (p: Pep440): [number, bigint] => p.pre ?? (p.post === undefined && p.dev !== undefined ? [-1, 0n] : [3, 0n]);
  const [xp, xn] = preKey(x);
  const [yp, yn] = preKey(y);
  if (xp !== yp) return xp - yp;
  c = cmpBig(xn, yn);
  if (c) return c;
  c = cmpBig(x.post ?? -1n, y.post ?? -1n);
  if (c) return c;
  // No dev part sorts after any dev part.
  const xd = x.dev ?? BigInt(Number.MAX_SAFE_INTEGER) * 1000n;
  const yd = y.dev ?? BigInt(Number.MAX_SAFE_INTEGER) * 1000n;
  c = cmpBig(xd, yd);
  if (c) return c;
  for (let i = 0; i < Math.max(x.local.length, y.local.length); i++) {
    const s = x.local[i];
    const t = y.local[i];
    if (s === undefined) return -1;
    if (t === undefined) return 1;
    const sn = /^\d+$/.test(s);
    const tn = /^\d+$/.test(t);
    if (sn && tn) c = cmpBig(BigInt(s), BigInt(t));
    else if (sn !== tn) c = sn ? 1 : -1;
    else c = s < t ? -1 : s > t ? 1 : 0;
    if (c) return c;
  }
  return 0;
};

/** The ordering OSV's ecosystem name implies ('Debian:12', 'Alpine:v3.19', 'npm', ...); undefined when unknown. */
export function comparatorFor(ecosystem: string): Compare | undefined {
  const base = ecosystem.split(':')[0]!;
  switch (base) {
    case 'Debian': case 'Ubuntu': return compareDpkg;
    case 'Alpine': case 'Wolfi': case 'Chainguard': return compareApk;
    case 'Red Hat': case 'Rocky Linux': case 'AlmaLinux': case 'openSUSE': case 'SUSE': case 'Mageia': case 'Photon OS': case 'Amazon Linux': return compareRpm;
    case 'npm': return compareSemver;
    case 'PyPI': return comparePep440;
    default: return undefined;
  }
}
