/**
 * Composite alarm rules: ALARM(x), OK(x), INSUFFICIENT_DATA(x), TRUE, FALSE, NOT, AND, OR and
 * parentheses (NOT binds tightest, then AND, then OR). An alarm is named by its name or its
 * ARN, bare or in double quotes.
 */
import { AwsError } from '../../core/errors.js';
import type { AlarmState } from './alarms-records.js';

export type RuleNode =
  | { k: 'state'; state: AlarmState; alarm: string }
  | { k: 'const'; value: boolean }
  | { k: 'not'; e: RuleNode }
  | { k: 'and' | 'or'; a: RuleNode; b: RuleNode };

const bad = (msg: string) => new AwsError('InvalidFormat', `Error in alarm rule: ${msg}`);

type Tok = { t: 'word'; v: string } | { t: 'str'; v: string } | { t: '(' } | { t: ')' };

function lex(rule: string): Tok[] {
  const out: Tok[] = [];
  let i = 0;
  while (i < rule.length) {
    const c = rule[i]!;
    if (/\s/.test(c)) { i++; continue; }
    if (c === '(' || c === ')') { out.push({ t: c }); i++; continue; }
    if (c === '"') {
      const j = rule.indexOf('"', i + 1);
      if (j < 0) throw bad(`unterminated quote at position ${i}`);
      out.push({ t: 'str', v: rule.slice(i + 1, j) });
      i = j + 1;
      continue;
    }
    let j = i;
    while (j < rule.length && !/[\s()"]/.test(rule[j]!)) j++;
    out.push({ t: 'word', v: rule.slice(i, j) });
    i = j;
  }
  return out;
}

const ARN_ALARM = /^arn:aws[\w-]*:cloudwatch:[a-z0-9-]+:\d{12}:alarm:(.+)$/;

/** The alarm name a rule argument means (an ARN's last part). */
export function alarmNameOf(ref: string): string {
  return ARN_ALARM.exec(ref)?.[1] ?? ref;
}

export function parseRule(rule: string): RuleNode {
  const toks = lex(rule);
  let p = 0;
  const peekWord = (): string | undefined => { const t = toks[p]; return t?.t === 'word' ? t.v : undefined; };
  const orExpr = (): RuleNode => {
    let a = andExpr();
    while (peekWord() === 'OR') { p++; a = { k: 'or', a, b: andExpr() }; }
    return a;
  };
  const andExpr = (): RuleNode => {
    let a = unary();
    while (peekWord() === 'AND') { p++; a = { k: 'and', a, b: unary() }; }
    return a;
  };
  const unary = (): RuleNode => {
    const t = toks[p];
    if (!t) throw bad('unexpected end of rule');
    if (t.t === '(') {
      p++;
      const e = orExpr();
      if (toks[p]?.t !== ')') throw bad('missing closing parenthesis');
      p++;
      return e;
    }
    if (t.t !== 'word') throw bad(`unexpected "${t.t === 'str' ? t.v : t.t}"`);
    if (t.v === 'NOT') { p++; return { k: 'not', e: unary() }; }
    if (t.v === 'TRUE' || t.v === 'FALSE') { p++; return { k: 'const', value: t.v === 'TRUE' }; }
    if (t.v === 'ALARM' || t.v === 'OK' || t.v === 'INSUFFICIENT_DATA') {
      p++;
      if (toks[p]?.t !== '(') throw bad(`expected "(" after ${t.v}`);
      p++;
      const arg = toks[p];
      if (!arg || (arg.t !== 'word' && arg.t !== 'str') || !arg.v) throw bad(`expected an alarm name in ${t.v}()`);
      p++;
      if (toks[p]?.t !== ')') throw bad(`expected ")" after the alarm name in ${t.v}()`);
      p++;
      return { k: 'state', state: t.v, alarm: alarmNameOf(arg.v) };
    }
    throw bad(`unknown function or keyword "${t.v}"`);
  };
  if (toks.length === 0) throw bad('the rule is empty');
  const e = orExpr();
  if (p < toks.length) throw bad(`unexpected "${(toks[p] as { v?: string }).v ?? (toks[p] as { t: string }).t}"`);
  return e;
}

export function ruleAlarms(n: RuleNode, out = new Set<string>()): Set<string> {
  if (n.k === 'state') out.add(n.alarm);
  else if (n.k === 'not') ruleAlarms(n.e, out);
  else if (n.k === 'and' || n.k === 'or') { ruleAlarms(n.a, out); ruleAlarms(n.b, out); }
  return out;
}

export function evalRule(n: RuleNode, stateOf: (alarm: string) => AlarmState | undefined): boolean {
  switch (n.k) {
    case 'const': return n.value;
    case 'state': return stateOf(n.alarm) === n.state;
    case 'not': return !evalRule(n.e, stateOf);
    case 'and': return evalRule(n.a, stateOf) && evalRule(n.b, stateOf);
    case 'or': return evalRule(n.a, stateOf) || evalRule(n.b, stateOf);
  }
}
