import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { allow, deny, pol, req, roleSession, runCase, user, type Case } from './testkit.js';
import type { RequestPrincipal } from './types.js';
import { parseTemplate } from './variables.js';

type Ctx = Record<string, string | string[]>;

/** Statement 'V' allows s3:GetObject on `resource` (pattern) under `condition`. */
function v(name: string, stmt: Record<string, unknown>, resource: string, holds: boolean,
  opts: { principal?: RequestPrincipal; context?: Ctx; version?: string; missing?: string[] } = {}): Case {
  return {
    name,
    request: req(opts.principal ?? user(), { resource, context: opts.context ?? {} }),
    policies: { identity: [pol([allow('V', { Action: 's3:GetObject', ...stmt })], { version: opts.version ?? '2012-10-17' })] },
    expect: { decision: holds ? 'Allow' : 'ImplicitDeny', sid: holds ? 'V' : null, ...(opts.missing ? { missing: opts.missing } : {}) },
  };
}

const B = 'arn:aws:s3:::bucket';

describe('policy variables in Resource', () => {
  const cases: Case[] = [
    v('${aws:username} substitutes the user name', { Resource: `${B}/home/\${aws:username}/*` }, `${B}/home/alice/f`, true),
    v('${aws:username} of another user does not match', { Resource: `${B}/home/\${aws:username}/*` }, `${B}/home/bob/f`, false),
    v('variable names are case-insensitive', { Resource: `${B}/home/\${AWS:UserName}/*` }, `${B}/home/alice/f`, true),
    v('${aws:userid}', { Resource: `${B}/\${aws:userid}/*` }, `${B}/AIDAUSERALICE0000000/f`, true),
    v('${aws:PrincipalTag/team}', { Resource: `${B}/\${aws:PrincipalTag/team}/*` }, `${B}/blue/f`, true, { context: { 'aws:PrincipalTag/team': 'blue' } }),
    v('${s3:prefix} from the request', { Resource: `${B}/\${s3:prefix}*` }, `${B}/docs/a`, true, { context: { 's3:prefix': 'docs/' } }),
    v('substituted values are literal, not wildcards', { Resource: `${B}/\${aws:username}/*` }, `${B}/abc/f`, false, { context: { 'aws:username': 'a*' } }),
    v('a literal * from a value still matches itself', { Resource: `${B}/\${aws:username}/*` }, `${B}/a*/f`, true, { context: { 'aws:username': 'a*' } }),
    v('unresolvable variable: no match, key reported', { Resource: `${B}/\${aws:username}/*` }, `${B}/app/f`, false, { principal: roleSession(), missing: ['aws:username'] }),
    v('default value when the key is absent', { Resource: `${B}/\${aws:username, 'anonymous'}/*` }, `${B}/anonymous/f`, true, { principal: roleSession(), missing: [] }),
    v('default value is ignored when the key is present', { Resource: `${B}/\${aws:username, 'anonymous'}/*` }, `${B}/anonymous/f`, false),
    v('${*} is a literal asterisk', { Resource: `${B}/\${*}` }, `${B}/*`, true),
    v('${*} is not a wildcard', { Resource: `${B}/\${*}` }, `${B}/x`, false),
    v('${?} is a literal question mark', { Resource: `${B}/a\${?}` }, `${B}/a?`, true),
    v('${?} is not a wildcard', { Resource: `${B}/a\${?}` }, `${B}/ab`, false),
    v('${$} is a literal dollar', { Resource: `${B}/\${$}{x}` }, `${B}/\${x}`, true),
    v('variables before the fifth colon stay literal', { Resource: 'arn:aws:sqs:us-east-1:${aws:PrincipalAccount}:q' }, 'arn:aws:sqs:us-east-1:111111111111:q', false),
    v('Version 2008-10-17: variables are literal text', { Resource: `${B}/\${aws:username}` }, `${B}/alice`, false, { version: '2008-10-17' }),
    v('Version 2008-10-17: the literal text matches itself', { Resource: `${B}/\${aws:username}` }, `${B}/\${aws:username}`, true, { version: '2008-10-17' }),
    v('multi-valued keys cannot be variables', { Resource: `${B}/\${aws:TagKeys}` }, `${B}/a`, false, { context: { 'aws:TagKeys': ['a', 'b'] } }),
    v('unterminated ${ stays literal', { Resource: `${B}/\${aws:username` }, `${B}/\${aws:username`, true),
  ];
  for (const c of cases) test(c.name, () => runCase(c));
});

describe('policy variables in Condition', () => {
  const cases: Case[] = [
    v('StringLike with ${aws:username}', { Resource: B, Condition: { StringLike: { 's3:prefix': ['', 'home/', 'home/${aws:username}/*'] } } }, B, true, { context: { 's3:prefix': 'home/alice/x' } }),
    v('StringLike with ${aws:username}, other user', { Resource: B, Condition: { StringLike: { 's3:prefix': 'home/${aws:username}/*' } } }, B, false, { context: { 's3:prefix': 'home/bob/x' } }),
    v('ABAC: StringEquals resource tag = ${aws:PrincipalTag/team}', { Resource: '*', Condition: { StringEquals: { 'aws:ResourceTag/team': '${aws:PrincipalTag/team}' } } },
      `${B}/k`, true, { context: { 'aws:ResourceTag/team': 'blue', 'aws:PrincipalTag/team': 'blue' } }),
    v('ABAC: different tags', { Resource: '*', Condition: { StringEquals: { 'aws:ResourceTag/team': '${aws:PrincipalTag/team}' } } },
      `${B}/k`, false, { context: { 'aws:ResourceTag/team': 'red', 'aws:PrincipalTag/team': 'blue' } }),
    v('ABAC: unresolvable variable fails and is reported', { Resource: '*', Condition: { StringEquals: { 'aws:ResourceTag/team': '${aws:PrincipalTag/team}' } } },
      `${B}/k`, false, { context: { 'aws:ResourceTag/team': 'red' }, missing: ['aws:PrincipalTag/team'] }),
    v('StringEqualsIgnoreCase with a variable', { Resource: '*', Condition: { StringEqualsIgnoreCase: { 'app:owner': '${aws:username}' } } }, `${B}/k`, true, { context: { 'app:owner': 'ALICE' } }),
    v('StringNotEquals with a variable', { Resource: '*', Condition: { StringNotEquals: { 'app:owner': '${aws:username}' } } }, `${B}/k`, false, { context: { 'app:owner': 'alice' } }),
    v('ArnLike with a variable', { Resource: '*', Condition: { ArnLike: { 'aws:SourceArn': 'arn:aws:s3:::${aws:username}-*' } } }, `${B}/k`, true, { context: { 'aws:SourceArn': 'arn:aws:s3:::alice-logs' } }),
    v('${aws:SourceIp} in a string condition', { Resource: '*', Condition: { StringEquals: { 'app:ip': '${aws:SourceIp}' } } }, `${B}/k`, true, { context: { 'app:ip': '10.0.0.1', 'aws:SourceIp': '10.0.0.1' } }),
    v('${aws:CurrentTime} in a string condition', { Resource: '*', Condition: { StringEquals: { 'app:t': '${aws:CurrentTime}' } } }, `${B}/k`, true, { context: { 'app:t': '2024-01-01T00:00:00Z', 'aws:CurrentTime': '2024-01-01T00:00:00Z' } }),
    v('Bool with a variable', { Resource: '*', Condition: { Bool: { 'aws:SecureTransport': '${app:want}' } } }, `${B}/k`, true, { context: { 'aws:SecureTransport': 'true', 'app:want': 'TRUE' } }),
    v('default value in a condition', { Resource: '*', Condition: { StringEquals: { 'app:owner': "${aws:username, 'nobody'}" } } }, `${B}/k`, true, { principal: roleSession(), context: { 'app:owner': 'nobody' } }),
    v('${*} in StringLike is literal', { Resource: '*', Condition: { StringLike: { 'app:k': 'a${*}' } } }, `${B}/k`, false, { context: { 'app:k': 'abc' } }),
    v('${*} in StringLike matches a literal *', { Resource: '*', Condition: { StringLike: { 'app:k': 'a${*}' } } }, `${B}/k`, true, { context: { 'app:k': 'a*' } }),
    v('Version 2008-10-17: condition variables are literal', { Resource: '*', Condition: { StringEquals: { 'app:owner': '${aws:username}' } } }, `${B}/k`, false, { version: '2008-10-17', context: { 'app:owner': 'alice' } }),
  ];
  for (const c of cases) test(c.name, () => runCase(c));

  test('variable in a Deny statement: unresolvable makes the Deny not apply', () => {
    runCase({
      name: 'deny var',
      request: req(roleSession()),
      policies: { identity: [pol([allow('All'), deny('D', { Resource: `${B}/\${aws:username}` })])] },
      expect: { decision: 'Allow', sid: 'All', missing: ['aws:username'] },
    });
  });
});

describe('parseTemplate', () => {
  test('splits text, variables, defaults and escapes', () => {
    assert.deepEqual(parseTemplate("a${aws:userid, 'anon'}b${*}c${$}", true).parts, [
      { t: 'raw', s: 'a' }, { t: 'var', key: 'aws:userid', name: 'aws:userid', def: 'anon' }, { t: 'raw', s: 'b' },
      { t: 'lit', s: '*' }, { t: 'raw', s: 'c' }, { t: 'lit', s: '$' },
    ]);
  });
  test('without variables the text is one raw part', () => {
    assert.deepEqual(parseTemplate('x${aws:username}', false), { parts: [{ t: 'raw', s: 'x${aws:username}' }], dynamic: false });
  });
});
