/**
 * CloudWatch metric math: the expressions of GetMetricData (and metric math alarms).
 *
 *   evaluate(expr, series, opts) -> Array<{ label, points }>
 *
 * `series` holds each referenced query's points by Id (a MetricStat query or an expression
 * evaluated before). A result is one series for most expressions, several for METRICS() and
 * what maps over it; a scalar result is repeated at every period of the window (as the
 * console draws it). Supported, with AWS's meaning: + - * / ^ on series and scalars
 * (series with series on their common timestamps), comparisons (== != < <= > >=, giving 1 or
 * 0), AND/&&, OR/||, NOT/!, arrays [a, b], METRICS() and METRICS('idpart'), SUM AVG MIN MAX
 * STDDEV (over an array: one series per timestamp; over one series: a scalar), FILL(s, value |
 * REPEAT | LINEAR), IF(cond, a[, b]), ABS CEIL FLOOR LOG LOG10, RATE
 * DIFF DIFF_TIME RUNNING_SUM, PERIOD, FIRST LAST, DATAPOINT_COUNT, METRIC_COUNT, REMOVE_EMPTY,
 * TIME_SERIES, EPOCH. Anything else (SEARCH, ANOMALY_DETECTION_BAND, INSIGHT_RULE_METRIC, SORT,
 * SLICE, ...) is a MathError naming the function, which the API answers as ValidationError.
 */

export type SeriesInput = Array<{ atMs: number; value: number }>;

export interface EvalOptions {
  periodS: number;
  startMs: number;
  endMs: number;
  /** Labels of the inputs (default: their Id). */
  labels?: Record<string, string>;
  /** Ids METRICS() returns (default: every key of `series`), in request order. */
  metricIds?: string[];
  /** Each input's own period, for PERIOD() (default periodS). */
  periods?: Record<string, number>;
  /** Inputs that are arrays of series (an expression evaluated before that gave several). */
  arrays?: Record<string, Array<{ label: string; points: SeriesInput }>>;
}

export class MathError extends Error {}

interface Ser { label: string; ts: Map<number, number> }
type Val = { t: 'n'; v: number } | { t: 's'; s: Ser } | { t: 'a'; a: Ser[] } | { t: 'str'; v: string };
type Node =
  | { k: 'num'; v: number } | { k: 'str'; v: string } | { k: 'id'; v: string }
  | { k: 'un'; op: string; x: Node } | { k: 'bin'; op: string; l: Node; r: Node }
  | { k: 'call'; f: string; args: Node[] } | { k: 'arr'; items: Node[] };

// ---- parsing ----

const TOKEN = /\s*(?:(\d+(?:\.\d*)?(?:[eE][+-]?\d+)?|\.\d+)|([A-Za-z_][A-Za-z0-9_]*)|("(?:[^"\\]|\\.)*"|'(?:[^'\\]|\\.)*')|(==|!=|<=|>=|&&|\|\||[-+*/^()<>,!\[\]]))/y;

function tokenize(src: string): string[] {
  const out: string[] = [];
  TOKEN.lastIndex = 0;
  let i = 0;
  while (i < src.length) {
    if (/^\s*$/.test(src.slice(i))) break;
    TOKEN.lastIndex = i;
    const m = TOKEN.exec(src);
    if (!m) throw new MathError(`Syntax error at position ${i + 1}: unexpected character '${src.slice(i).trim()[0]}'`);
    out.push(m[1] ?? m[2] ?? m[3] ?? m[4]!);
    i = TOKEN.lastIndex;
  }
  return out;
}

const BIN_PREC: Record<string, number> = { OR: 1, '||': 1, AND: 2, '&&': 2, '==': 3, '!=': 3, '<': 3, '<=': 3, '>': 3, '>=': 3, '+': 4, '-': 4, '*': 5, '/': 5, '^': 7 };

export function parse(src: string): Node {
  const toks = tokenize(src);
  let p = 0;
  const peek = () => toks[p];
  const want = (t: string) => { if (toks[p] !== t) throw new MathError(`Syntax error: expected '${t}'${toks[p] ? ` before '${toks[p]}'` : ' at the end'}`); p++; };
  const opOf = (t: string | undefined) => (t === undefined ? undefined : BIN_PREC[t.toUpperCase()] !== undefined && /^[A-Za-z]/.test(t) ? t.toUpperCase() : BIN_PREC[t] !== undefined ? t : undefined);
  const expr = (min: number): Node => {
    let l = unary();
    for (;;) {
      const op = opOf(peek());
      if (!op) return l;
      const prec = BIN_PREC[op]!;
      if (prec < min) return l;
      p++;
      const r = expr(op === '^' ? prec : prec + 1);
      l = { k: 'bin', op, l, r };
    }
  };
  const unary = (): Node => {
    const t = peek();
    if (t === '-' || t === '+') { p++; return { k: 'un', op: t, x: expr(6) }; }
    if (t === '!' || t?.toUpperCase() === 'NOT') { p++; return { k: 'un', op: '!', x: expr(3) }; }
    return primary();
  };
  const primary = (): Node => {
    const t = toks[p++];
    if (t === undefined) throw new MathError('Syntax error: the expression ends too early');
    if (/^[\d.]/.test(t)) return { k: 'num', v: Number(t) };
    if (t[0] === '"' || t[0] === "'") return { k: 'str', v: t.slice(1, -1).replace(/\\(.)/g, '$1') };
    if (t === '(') { const e = expr(0); want(')'); return e; }
    if (t === '[') {
      const items: Node[] = [];
      if (peek() !== ']') for (;;) { items.push(expr(0)); if (peek() === ',') { p++; continue; } break; }
      want(']');
      return { k: 'arr', items };
    }
    if (/^[A-Za-z_]/.test(t)) {
      if (peek() === '(') {
        p++;
        const args: Node[] = [];
        if (peek() !== ')') for (;;) { args.push(expr(0)); if (peek() === ',') { p++; continue; } break; }
        want(')');
        return { k: 'call', f: t.toUpperCase(), args };
      }
      return { k: 'id', v: t };
    }
    throw new MathError(`Syntax error: unexpected '${t}'`);
  };
  const root = expr(0);
  if (p < toks.length) throw new MathError(`Syntax error: unexpected '${toks[p]}'`);
  return root;
}

/** The Ids an expression refers to (for evaluation order). METRICS() refers to every metric. */
export function references(src: string): { ids: string[]; usesMetrics: boolean } {
  const ids = new Set<string>();
  let usesMetrics = false;
  const walk = (n: Node): void => {
    switch (n.k) {
      case 'id': ids.add(n.v); break;
      case 'un': walk(n.x); break;
      case 'bin': walk(n.l); walk(n.r); break;
      case 'arr': n.items.forEach(walk); break;
      case 'call': if (n.f === 'METRICS') usesMetrics = true; n.args.forEach((a) => { if (!(n.f === 'FILL' && a.k === 'id' && /^(REPEAT|LINEAR)$/i.test(a.v))) walk(a); }); break;
      default: break;
    }
  };
  walk(parse(src));
  return { ids: [...ids], usesMetrics };
}

// ---- evaluation ----

const SUPPORTED = new Set(['ABS', 'CEIL', 'FLOOR', 'LOG', 'LOG10', 'SUM', 'AVG', 'MIN', 'MAX', 'STDDEV', 'METRICS', 'FILL', 'IF', 'RATE', 'DIFF', 'DIFF_TIME',
  'RUNNING_SUM', 'PERIOD', 'FIRST', 'LAST', 'DATAPOINT_COUNT', 'METRIC_COUNT', 'REMOVE_EMPTY', 'TIME_SERIES', 'EPOCH']);

export function evaluate(expr: string, series: Record<string, SeriesInput>, opts: EvalOptions): Array<{ label: string; points: SeriesInput }> {
  const ast = parse(expr);
  const pMs = opts.periodS * 1000;
  if (!(pMs > 0) || !Number.isFinite(pMs)) throw new MathError(`The period must be a positive number of seconds, not ${opts.periodS}`);
  const grid: number[] = [];
  // The window's periods start at startMs, as the metric queries' do (the caller aligns it: metrics-store alignStart).
  for (let t = opts.startMs; t < opts.endMs && grid.length < 100_800; t += pMs) grid.push(t);
  const toSer = (label: string, pts: SeriesInput): Ser => ({ label, ts: new Map(pts.map((x) => [x.atMs, x.value])) });
  const lookup = (id: string): Val => {
    const arr = opts.arrays?.[id];
    if (arr) return { t: 'a', a: arr.map((s) => toSer(s.label, s.points)) };
    const s = series[id];
    if (!s) throw new MathError(`Unrecognized identifier: ${id}`);
    return { t: 's', s: toSer(opts.labels?.[id] ?? id, s) };
  };
  const asSer = (v: Val, label = ''): Ser => {
    if (v.t === 's') return v.s;
    if (v.t === 'n') return { label, ts: new Map(grid.map((t) => [t, v.v])) };
    throw new MathError('Expected a time series');
  };
  const mapVal = (v: Val, f: (x: number, t: number) => number | undefined): Val => {
    if (v.t === 'n') { const r = f(v.v, NaN); return { t: 'n', v: r ?? NaN }; }
    const one = (s: Ser): Ser => { const ts = new Map<number, number>(); for (const [t, x] of s.ts) { const r = f(x, t); if (r !== undefined && Number.isFinite(r)) ts.set(t, r); } return { label: s.label, ts }; };
    if (v.t === 's') return { t: 's', s: one(v.s) };
    if (v.t === 'a') return { t: 'a', a: v.a.map(one) };
    throw new MathError('A string is not a value here');
  };
  const perSeries = (v: Val, f: (s: Ser) => Ser): Val => {
    if (v.t === 's') return { t: 's', s: f(v.s) };
    if (v.t === 'a') return { t: 'a', a: v.a.map(f) };
    throw new MathError('Expected a time series or an array of time series');
  };
  const op2 = (op: string, a: number, b: number): number => {
    switch (op) {
      case '+': return a + b; case '-': return a - b; case '*': return a * b; case '/': return a / b; case '^': return a ** b;
      case '==': return +(a === b); case '!=': return +(a !== b); case '<': return +(a < b); case '<=': return +(a <= b);
      case '>': return +(a > b); case '>=': return +(a >= b); case 'AND': case '&&': return +(a !== 0 && b !== 0); case 'OR': case '||': return +(a !== 0 || b !== 0);
    }
    throw new MathError(`Unknown operator ${op}`);
  };
  const serSer = (op: string, x: Ser, y: Ser): Ser => {
    const ts = new Map<number, number>();
    for (const [t, a] of x.ts) { const b = y.ts.get(t); if (b === undefined) continue; const r = op2(op, a, b); if (Number.isFinite(r)) ts.set(t, r); }
    return { label: x.label, ts };
  };
  const binary = (op: string, l: Val, r: Val): Val => {
    if (l.t === 'str' || r.t === 'str') throw new MathError(`The operator ${op} does not apply to a string`);
    if (l.t === 'n' && r.t === 'n') return { t: 'n', v: op2(op, l.v, r.v) };
    if (r.t === 'n') return mapVal(l, (x) => op2(op, x, r.v));
    if (l.t === 'n') return mapVal(r, (x) => op2(op, l.v, x));
    if (l.t === 's' && r.t === 's') return { t: 's', s: serSer(op, l.s, r.s) };
    if (l.t === 'a' && r.t === 's') return { t: 'a', a: l.a.map((x) => serSer(op, x, r.s)) };
    if (l.t === 's' && r.t === 'a') return { t: 'a', a: r.a.map((y) => ({ ...serSer(op, l.s, y), label: y.label })) };
    if (l.t === 'a' && r.t === 'a') {
      if (l.a.length !== r.a.length) throw new MathError('Arrays of time series in one operation must have the same length');
      return { t: 'a', a: l.a.map((x, i) => serSer(op, x, r.a[i]!)) };
    }
    throw new MathError('Invalid operands');
  };
  const reduce = (vals: number[], f: string): number => {
    const n = vals.length;
    const sum = vals.reduce((a, b) => a + b, 0);
    switch (f) {
      case 'SUM': return sum;
      case 'AVG': return sum / n;
      case 'MIN': return Math.min(...vals);
      case 'MAX': return Math.max(...vals);
      default: { const m = sum / n; return Math.sqrt(vals.reduce((a, b) => a + (b - m) ** 2, 0) / n); }
    }
  };
  const aggregate = (f: string, args: Val[]): Val => {
    if (args.length !== 1) throw new MathError(`${f} takes one argument`);
    const v = args[0]!;
    if (v.t === 'n') return v;
    if (v.t === 's') { const xs = [...v.s.ts.values()]; return { t: 'n', v: xs.length ? reduce(xs, f) : NaN }; }
    if (v.t === 'a') {
      const by = new Map<number, number[]>();
      for (const s of v.a) for (const [t, x] of s.ts) { const l = by.get(t); if (l) l.push(x); else by.set(t, [x]); }
      const ts = new Map<number, number>();
      for (const t of [...by.keys()].sort((a, b) => a - b)) ts.set(t, reduce(by.get(t)!, f));
      return { t: 's', s: { label: '', ts } };
    }
    throw new MathError(`${f} does not apply to a string`);
  };
  const sorted = (s: Ser): Array<[number, number]> => [...s.ts].sort((a, b) => a[0] - b[0]);
  const fill = (s: Ser, how: Val | 'REPEAT' | 'LINEAR'): Ser => {
    const ts = new Map<number, number>();
    const known = sorted(s);
    for (const t of grid) {
      const x = s.ts.get(t);
      if (x !== undefined) { ts.set(t, x); continue; }
      if (how === 'REPEAT' || how === 'LINEAR') {
        let prev: [number, number] | undefined; let next: [number, number] | undefined;
        for (const k of known) { if (k[0] < t) prev = k; else if (k[0] > t) { next = k; break; } }
        if (how === 'REPEAT') { const r = prev ?? next; if (r) ts.set(t, r[1]); }
        else if (prev && next) ts.set(t, prev[1] + ((next[1] - prev[1]) * (t - prev[0])) / (next[0] - prev[0]));
        else { const r = prev ?? next; if (r) ts.set(t, r[1]); }
      } else if (how.t === 'n') ts.set(t, how.v);
      else if (how.t === 's') { const y = how.s.ts.get(t); if (y !== undefined) ts.set(t, y); }
    }
    for (const [t, x] of s.ts) if (!ts.has(t)) ts.set(t, x);
    return { label: s.label, ts: new Map([...ts].sort((a, b) => a[0] - b[0])) };
  };
  const consecutive = (s: Ser, f: (cur: [number, number], prev: [number, number]) => number): Ser => {
    const pts = sorted(s);
    const ts = new Map<number, number>();
    for (let i = 1; i < pts.length; i++) { const r = f(pts[i]!, pts[i - 1]!); if (Number.isFinite(r)) ts.set(pts[i]![0], r); }
    return { label: s.label, ts };
  };
  const call = (f: string, argNodes: Node[]): Val => {
    if (!SUPPORTED.has(f)) throw new MathError(`Unsupported function: ${f}. cloudlet's metric math has ${[...SUPPORTED].sort().join(', ')}`);
    if (f === 'FILL') {
      if (argNodes.length !== 2) throw new MathError('FILL takes two arguments');
      const s = ev(argNodes[0]!);
      const h = argNodes[1]!;
      const how = h.k === 'id' && /^(REPEAT|LINEAR)$/i.test(h.v) ? (h.v.toUpperCase() as 'REPEAT' | 'LINEAR') : ev(h);
      return perSeries(s, (x) => fill(x, how));
    }
    if (f === 'METRICS') {
      const ids = opts.metricIds ?? Object.keys(series);
      const arg = argNodes[0] ? ev(argNodes[0]) : undefined;
      if (arg && arg.t !== 'str') throw new MathError('METRICS takes a string');
      const part = arg?.t === 'str' ? arg.v : '';
      return { t: 'a', a: ids.filter((id) => id.includes(part) && series[id]).map((id) => toSer(opts.labels?.[id] ?? id, series[id]!)) };
    }
    const args = argNodes.map(ev);
    const one = (): Val => { if (args.length !== 1) throw new MathError(`${f} takes one argument`); return args[0]!; };
    switch (f) {
      case 'ABS': return mapVal(one(), Math.abs);
      case 'CEIL': return mapVal(one(), Math.ceil);
      case 'FLOOR': return mapVal(one(), Math.floor);
      case 'LOG': return mapVal(one(), Math.log);
      case 'LOG10': return mapVal(one(), Math.log10);
      case 'EPOCH': return mapVal(one(), (_x, t) => t / 1000);
      case 'SUM': case 'AVG': case 'MIN': case 'MAX': case 'STDDEV': return aggregate(f, args);
      case 'IF': {
        if (args.length < 2 || args.length > 3) throw new MathError('IF takes two or three arguments');
        const [c, a, b] = args as [Val, Val, Val | undefined];
        const at = (v: Val | undefined, t: number, i: number): number | undefined => (v === undefined ? undefined : v.t === 'n' ? v.v : v.t === 's' ? v.s.ts.get(t) : v.t === 'a' ? v.a[i]?.ts.get(t) : undefined);
        const pick = (s: Ser, i: number): Ser => { const ts = new Map<number, number>(); for (const [t, x] of s.ts) { const r = x !== 0 ? at(a, t, i) : at(b, t, i); if (r !== undefined) ts.set(t, r); } return { label: s.label, ts }; };
        if (c.t === 'n') return c.v !== 0 ? a : (b ?? { t: 'n', v: NaN });
        if (c.t === 's') return { t: 's', s: pick(c.s, 0) };
        if (c.t === 'a') return { t: 'a', a: c.a.map(pick) };
        throw new MathError('IF needs a condition');
      }
      case 'RATE': return perSeries(one(), (s) => consecutive(s, (c, p) => (c[1] - p[1]) / ((c[0] - p[0]) / 1000)));
      case 'DIFF': return perSeries(one(), (s) => consecutive(s, (c, p) => c[1] - p[1]));
      case 'DIFF_TIME': return perSeries(one(), (s) => consecutive(s, (c, p) => (c[0] - p[0]) / 1000));
      case 'RUNNING_SUM': return perSeries(one(), (s) => { let t = 0; return { label: s.label, ts: new Map(sorted(s).map(([k, x]) => [k, (t += x)])) }; });
      case 'FIRST': case 'LAST': {
        const v = one();
        if (v.t !== 'a') throw new MathError(`${f} takes an array of time series`);
        const s = f === 'FIRST' ? v.a[0] : v.a[v.a.length - 1];
        return s ? { t: 's', s } : { t: 'a', a: [] };
      }
      case 'DATAPOINT_COUNT': { const v = one(); if (v.t === 's') return { t: 'n', v: v.s.ts.size }; if (v.t === 'a') return { t: 'a', a: v.a.map((s) => ({ label: s.label, ts: new Map(grid.map((t) => [t, s.ts.size])) })) }; throw new MathError('DATAPOINT_COUNT takes a time series'); }
      case 'METRIC_COUNT': { const v = one(); return { t: 'n', v: v.t === 'a' ? v.a.length : v.t === 's' ? 1 : 0 }; }
      case 'REMOVE_EMPTY': { const v = one(); return v.t === 'a' ? { t: 'a', a: v.a.filter((s) => s.ts.size > 0) } : v; }
      case 'TIME_SERIES': { const v = one(); if (v.t !== 'n') throw new MathError('TIME_SERIES takes a number'); return { t: 's', s: asSer(v) }; }
      case 'PERIOD': {
        const n = argNodes[0];
        if (argNodes.length !== 1) throw new MathError('PERIOD takes one argument');
        return { t: 'n', v: n?.k === 'id' ? (opts.periods?.[n.v] ?? opts.periodS) : opts.periodS };
      }
    }
    throw new MathError(`Unsupported function: ${f}`);
  };
  const ev = (n: Node): Val => {
    switch (n.k) {
      case 'num': return { t: 'n', v: n.v };
      case 'str': return { t: 'str', v: n.v };
      case 'id': return lookup(n.v);
      case 'un': { const x = ev(n.x); return n.op === '-' ? mapVal(x, (v) => -v) : n.op === '+' ? x : mapVal(x, (v) => +(v === 0)); }
      case 'bin': return binary(n.op, ev(n.l), ev(n.r));
      case 'arr': {
        const out: Ser[] = [];
        for (const it of n.items) { const v = ev(it); if (v.t === 'a') out.push(...v.a); else out.push(asSer(v)); }
        return { t: 'a', a: out };
      }
      case 'call': return call(n.f, n.args);
    }
  };
  const r = ev(ast);
  const pts = (s: Ser): SeriesInput => [...s.ts].sort((a, b) => a[0] - b[0]).filter(([, v]) => Number.isFinite(v)).map(([atMs, value]) => ({ atMs, value }));
  if (r.t === 'str') throw new MathError('The expression gives a string, not a time series');
  if (r.t === 'n') return [{ label: '', points: Number.isFinite(r.v) ? grid.map((atMs) => ({ atMs, value: r.v })) : [] }];
  if (r.t === 's') return [{ label: r.s.label, points: pts(r.s) }];
  return r.a.map((s) => ({ label: s.label, points: pts(s) }));
}

/** For metric math alarms: the expression's one time series (a MathError when it gives several). */
export function evaluateOne(expr: string, series: Record<string, SeriesInput>, opts: EvalOptions): SeriesInput {
  const r = evaluate(expr, series, opts);
  if (r.length !== 1) throw new MathError('The expression must return a single time series');
  return r[0]!.points;
}
