/**
 * Orders ids the way SQLite's BINARY collation orders UTF-8 text: by code point. JS `<`
 * compares UTF-16 code units, which puts U+E000..U+FFFF after astral characters; both
 * stores must page identically, so the memory store cannot use `<`.
 */
export function compareIds(a: string, b: string): number {
  if (a === b) return 0;
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) {
    let x = a.charCodeAt(i);
    let y = b.charCodeAt(i);
    if (x === y) continue;
    if (x >= 0xd800 && y >= 0xd800) {
      // Surrogates (astral code points) must sort above U+E000..U+FFFF.
      x = x >= 0xe000 ? x - 0x800 : x + 0x2000;
      y = y >= 0xe000 ? y - 0x800 : y + 0x2000;
    }
    return x - y;
  }
  return a.length - b.length;
}

/**
 * The smallest string greater than every string starting with `prefix`, in code point
 * order; undefined when there is none (empty prefix, or only U+10FFFF). A `prefix +
 * '\uffff'` bound would miss ids continuing with an astral character.
 */
export function prefixEnd(prefix: string): string | undefined {
  const cps = Array.from(prefix, (c) => c.codePointAt(0)!);
  while (cps.length > 0) {
    const last = cps.pop()!;
    if (last === 0x10ffff) continue;
    cps.push(last === 0xd7ff ? 0xe000 : last + 1);
    return String.fromCodePoint(...cps);
  }
  return undefined;
}
