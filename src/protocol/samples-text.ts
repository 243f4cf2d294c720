import type { Rng } from './samples-rng.js';

/**
 * Text for generated strings, by where the string travels (see RESTRICTIONS in samples-restrictions.ts for
 * why each place allows what it allows).
 */
export type Place = 'json' | 'form' | 'xml' | 'header' | 'query' | 'label' | 'greedy-label' | 'payload';

const ALNUM = [...'abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789'];
// Every printable ASCII punctuation mark and the space: the characters URL and XML encoders must get right.
const PUNCT = [...' -_.~!*\'()/+=&%?#:;,@$[]{}|^`\\"<>'];
const WS = ['\t', '\n', '\r'];
const UNICODE = ['é', 'ü', 'ß', '✓', '中', '文', '😀', '\u00a0', '\u2028', '\u200b', '\u00ff', '\u0100', '\ufeff'];
const CONTROL = ['\u0000', '\u0001', '\u001b', '\u001f', '\u007f'];

interface PlaceText {
  pool: string[];
  /** Whether a given string (e.g. an enum value) can travel here. */
  accepts(s: string): boolean;
}

const isXmlChar = (s: string) => !/[\u0000-\u0008\u000b\u000c\u000e-\u001f\ufffe\uffff]/.test(s);
const isHeaderText = (s: string) => /^[\x20-\x7e]*$/.test(s) && s.trim() === s && s !== '';
const noDotSegments = (s: string) => s !== '' && !s.split('/').some((seg) => seg === '.' || seg === '..');

const everything = [...ALNUM, ...PUNCT, ...WS, ...UNICODE, ...CONTROL];

export const PLACE_TEXT: Record<Place, PlaceText> = {
  json: { pool: everything, accepts: () => true },
  form: { pool: everything, accepts: () => true },
  query: { pool: everything, accepts: () => true },
  payload: { pool: everything, accepts: (s) => s !== '' },
  xml: { pool: [...ALNUM, ...PUNCT, ...WS, ...UNICODE, '\u007f'], accepts: isXmlChar },
  header: { pool: [...ALNUM, ...PUNCT], accepts: isHeaderText },
  label: { pool: everything, accepts: (s) => s !== '' && s !== '.' && s !== '..' },
  'greedy-label': { pool: everything, accepts: noDotSegments },
};

/**
 * A string of [min, max] code points for `place`. Half the time plain alphanumerics (what most
 * real values look like), otherwise drawn from everything the place can carry.
 */
export interface TextOptions {
  /** Item of a list bound to a header: no comma or double quote. */
  headerItem?: boolean;
  /** No carriage return (XML written by a client that leaves CR raw). */
  noCR?: boolean;
  /** Not whitespace-only when non-empty (XML read by a client that drops blank text). */
  noBlank?: boolean;
}

export function textFor(rng: Rng, place: Place, min: number, max: number, mode: string, opts: TextOptions = {}): string {
  const spec = PLACE_TEXT[place];
  let pool = rng.bool(mode === 'all' ? 0.25 : 0.5) ? ALNUM : spec.pool;
  if (opts.headerItem) pool = pool.filter((c) => c !== ',' && c !== '"');
  if (opts.noCR) pool = pool.filter((c) => c !== '\r');
  const needsOne = place === 'header' || place === 'label' || place === 'greedy-label' || place === 'payload';
  const lo = Math.max(min, needsOne ? 1 : 0);
  const hi = Math.max(lo, max);
  for (let attempt = 0; attempt < 20; attempt++) {
    const n = rng.int(lo, hi);
    let s = '';
    for (let i = 0; i < n; i++) s += pool[rng.int(0, pool.length - 1)];
    if (place === 'header') s = s.trim();
    if (s.length >= lo && spec.accepts(s) && !(opts.noBlank && s !== '' && !/\S/.test(s))) return s;
  }
  // A string of letters always travels.
  let s = '';
  for (let i = 0; i < lo; i++) s += ALNUM[rng.int(0, 51)];
  return s || 'x';
}
