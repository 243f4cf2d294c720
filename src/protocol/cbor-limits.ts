/**
 * The bounds of json-values.ts for CBOR request bodies, checked before the decoder builds
 * anything: a 7 MB map of a million keys held the event loop for 8 s. One iterative pass over
 * the item heads (string and byte contents skipped); malformed input is left for the decoder
 * to refuse with its own message.
 */
import { MAX_JSON_DEPTH, MAX_JSON_MEMBERS } from './json-values.js';

interface Frame {
  /** Items still to read in this container (Infinity: indefinite length, ends with 0xff). */
  left: number;
  /** Indefinite-length map: members are counted as their items arrive. */
  countItems: boolean;
}

/** Why a CBOR body is too deep or too wide, or undefined (also for input the decoder will refuse). */
export function cborLimitExceeded(bytes: Uint8Array): string | undefined {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const stack: Frame[] = [{ left: 1, countItems: false }];
  let pos = 0;
  let members = 0;
  while (stack.length > 0) {
    const top = stack[stack.length - 1]!;
    if (top.left === 0) {
      stack.pop();
      continue;
    }
    if (pos >= bytes.length) return undefined;
    const initial = bytes[pos++]!;
    if (initial === 0xff) {
      if (top.left !== Infinity) return undefined;
      stack.pop();
      continue;
    }
    if (top.left !== Infinity) top.left--;
    if (top.countItems && (members += 0.5) > MAX_JSON_MEMBERS) return tooWide();
    const major = initial >> 5;
    const info = initial & 31;
    let arg = info;
    const indefinite = info === 31;
    if (info >= 24 && info <= 27) {
      const size = 1 << (info - 24);
      if (pos + size > bytes.length) return undefined;
      arg = size === 1 ? view.getUint8(pos) : size === 2 ? view.getUint16(pos) : size === 4 ? view.getUint32(pos) : Number(view.getBigUint64(pos));
      pos += size;
    } else if (info >= 28 && info <= 30) return undefined;
    else if (indefinite && (major < 2 || major === 6)) return undefined;
    switch (major) {
      case 2: case 3:
        if (indefinite) stack.push({ left: Infinity, countItems: false });
        else if ((pos += arg) > bytes.length) return undefined;
        break;
      case 4:
        stack.push({ left: indefinite ? Infinity : arg, countItems: false });
        break;
      case 5:
        if (!indefinite && (members += arg) > MAX_JSON_MEMBERS) return tooWide();
        stack.push({ left: indefinite ? Infinity : arg * 2, countItems: indefinite });
        break;
      case 6:
        stack.push({ left: 1, countItems: false });
        break;
      default:
        break;
    }
    if (stack.length - 1 > MAX_JSON_DEPTH) return `Document nesting depth (${stack.length - 1}) exceeds the maximum allowed (${MAX_JSON_DEPTH})`;
  }
  return undefined;
}

const tooWide = () => `The document has more than ${MAX_JSON_MEMBERS} object members`;
