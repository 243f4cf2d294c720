/**
 * Where each statement of a policy document sits in its text, for the simulator's
 * MatchedStatements StartPosition / EndPosition: 1-based line and column of the statement's
 * opening '{', and of the character just after its closing '}'.
 */
export interface Position { Line: number; Column: number }
export interface Span { start: Position; end: Position }

class Scanner {
  i = 0;
  line = 1;
  col = 1;
  constructor(private readonly s: string) {}

  get done(): boolean {
    return this.i >= this.s.length;
  }

  peek(): string {
    return this.s[this.i] ?? '';
  }

  pos(): Position {
    return { Line: this.line, Column: this.col };
  }

  next(): string {
    const c = this.s[this.i++] ?? '';
    if (c === '\n') {
      this.line++;
      this.col = 1;
    } else {
      this.col++;
    }
    return c;
  }

  ws(): void {
    while (!this.done && /\s/.test(this.peek())) this.next();
  }

  string(): string {
    let out = '';
    this.next(); // opening quote
    while (!this.done) {
      const c = this.next();
      if (c === '"') return out;
      if (c === '\\') {
        const e = this.next();
        out += e === 'u' ? String.fromCharCode(parseInt(this.next() + this.next() + this.next() + this.next(), 16)) : e;
      } else {
        out += c;
      }
    }
    return out;
  }

  /** Skips one value of any kind; returns its span. */
  value(): Span {
    this.ws();
    const start = this.pos();
    const c = this.peek();
    if (c === '"') {
      this.string();
    } else if (c === '{' || c === '[') {
      const close = c === '{' ? '}' : ']';
      this.next();
      this.ws();
      while (!this.done && this.peek() !== close) {
        if (c === '{') {
          this.ws();
          this.string();
          this.ws();
          this.next(); // ':'
        }
        this.value();
        this.ws();
        if (this.peek() === ',') this.next();
        this.ws();
      }
      this.next();
    } else {
      while (!this.done && !/[\s,\]}]/.test(this.peek())) this.next();
    }
    return { start, end: this.pos() };
  }
}

/** Spans of the statements of a (valid JSON) policy document, in order; [] if it has none. */
export function statementSpans(json: string): Span[] {
  const s = new Scanner(json);
  s.ws();
  if (s.peek() !== '{') return [];
  s.next();
  while (!s.done) {
    s.ws();
    if (s.peek() === '}') break;
    const key = s.string();
    s.ws();
    s.next(); // ':'
    s.ws();
    if (key === 'Statement') {
      if (s.peek() === '{') return [s.value()];
      if (s.peek() !== '[') return [];
      s.next();
      const spans: Span[] = [];
      s.ws();
      while (!s.done && s.peek() !== ']') {
        spans.push(s.value());
        s.ws();
        if (s.peek() === ',') s.next();
        s.ws();
      }
      return spans;
    }
    s.value();
    s.ws();
    if (s.peek() === ',') s.next();
  }
  return [];
}
