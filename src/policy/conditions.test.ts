import { describe, test } from 'node:test';
import { allow, deny, pol, req, roleSession, runCase, user, type Case } from './testkit.js';
import type { RequestPrincipal } from './types.js';

type Ctx = Record<string, string | string[] | undefined>;

/** Allow statement 'C' guarded by `condition`: Allow when the condition holds, else ImplicitDeny. */
function cond(name: string, condition: Record<string, unknown>, context: Ctx, holds: boolean, missing?: string[], principal: RequestPrincipal = user()): Case {
  return {
    name,
    request: req(principal, { context }),
    policies: { identity: [pol([allow('C', { Condition: condition })])] },
    opts: { now: () => Date.UTC(2024, 5, 1, 12, 0, 0) },
    expect: holds ? { decision: 'Allow', sid: 'C', ...(missing ? { missing } : {}) } : { decision: 'ImplicitDeny', sid: null, ...(missing ? { missing } : {}) },
  };
}

const U = 'aws:username';

describe('string operators', () => {
  const cases: Case[] = [
    cond('StringEquals matches', { StringEquals: { 'aws:PrincipalTag/team': 'blue' } }, { 'aws:PrincipalTag/team': 'blue' }, true),
    cond('StringEquals is case-sensitive in the value', { StringEquals: { 'aws:PrincipalTag/team': 'blue' } }, { 'aws:PrincipalTag/team': 'Blue' }, false),
    cond('condition keys are case-insensitive', { StringEquals: { 'AWS:PRINCIPALTAG/TEAM': 'blue' } }, { 'aws:principaltag/team': 'blue' }, true),
    cond('StringEquals: several values are OR', { StringEquals: { 'aws:PrincipalTag/team': ['red', 'blue'] } }, { 'aws:PrincipalTag/team': 'blue' }, true),
    cond('StringEquals: absent key is false and reported', { StringEquals: { 'aws:PrincipalTag/team': 'blue' } }, {}, false, ['aws:PrincipalTag/team']),
    cond('StringNotEquals: different value', { StringNotEquals: { 'aws:PrincipalTag/team': 'blue' } }, { 'aws:PrincipalTag/team': 'red' }, true),
    cond('StringNotEquals: equal value', { StringNotEquals: { 'aws:PrincipalTag/team': 'blue' } }, { 'aws:PrincipalTag/team': 'blue' }, false),
    cond('StringNotEquals: several values are NOR (listed)', { StringNotEquals: { 'aws:PrincipalTag/team': ['red', 'blue'] } }, { 'aws:PrincipalTag/team': 'red' }, false),
    cond('StringNotEquals: several values are NOR (unlisted)', { StringNotEquals: { 'aws:PrincipalTag/team': ['red', 'blue'] } }, { 'aws:PrincipalTag/team': 'green' }, true),
    cond('StringNotEquals: absent key is true', { StringNotEquals: { 'aws:PrincipalTag/team': 'blue' } }, {}, true, ['aws:PrincipalTag/team']),
    cond('StringEqualsIgnoreCase', { StringEqualsIgnoreCase: { 'aws:PrincipalTag/team': 'BLUE' } }, { 'aws:PrincipalTag/team': 'blue' }, true),
    cond('StringNotEqualsIgnoreCase', { StringNotEqualsIgnoreCase: { 'aws:PrincipalTag/team': 'BLUE' } }, { 'aws:PrincipalTag/team': 'blue' }, false),
    cond('StringNotEqualsIgnoreCase, different', { StringNotEqualsIgnoreCase: { 'aws:PrincipalTag/team': 'BLUE' } }, { 'aws:PrincipalTag/team': 'red' }, true),
    cond('StringLike with *', { StringLike: { 's3:prefix': 'home/*' } }, { 's3:prefix': 'home/alice/docs' }, true),
    cond('StringLike with ?', { StringLike: { 's3:prefix': 'home/a?ice' } }, { 's3:prefix': 'home/alice' }, true),
    cond('StringLike is case-sensitive', { StringLike: { 's3:prefix': 'Home/*' } }, { 's3:prefix': 'home/x' }, false),
    cond('StringLike: "" matches only the empty string', { StringLike: { 's3:prefix': ['', 'home/'] } }, { 's3:prefix': '' }, true),
    cond('StringNotLike: matching value', { StringNotLike: { 's3:prefix': 'secret/*' } }, { 's3:prefix': 'secret/x' }, false),
    cond('StringNotLike: other value', { StringNotLike: { 's3:prefix': 'secret/*' } }, { 's3:prefix': 'public/x' }, true),
    cond('StringNotLike: absent key is true', { StringNotLike: { 's3:prefix': 'secret/*' } }, {}, true),
    cond('regex metacharacters are literal', { StringLike: { 's3:prefix': 'a.b(c)+' } }, { 's3:prefix': 'aXb(c)+' }, false),
  ];
  for (const c of cases) test(c.name, () => runCase(c));
});

describe('numeric, date, bool, binary operators', () => {
  const K = 's3:max-keys';
  const T = 'aws:CurrentTime';
  const cases: Case[] = [
    cond('NumericEquals', { NumericEquals: { [K]: '10' } }, { [K]: '10' }, true),
    cond('NumericEquals compares numbers, not text', { NumericEquals: { [K]: 10 } }, { [K]: '10.0' }, true),
    cond('NumericNotEquals', { NumericNotEquals: { [K]: '10' } }, { [K]: '11' }, true),
    cond('NumericNotEquals: equal', { NumericNotEquals: { [K]: '10' } }, { [K]: '10' }, false),
    cond('NumericNotEquals: absent key is true', { NumericNotEquals: { [K]: '10' } }, {}, true),
    cond('NumericLessThan', { NumericLessThan: { [K]: '10' } }, { [K]: '9' }, true),
    cond('NumericLessThan: equal is not less', { NumericLessThan: { [K]: '10' } }, { [K]: '10' }, false),
    cond('NumericLessThanEquals', { NumericLessThanEquals: { [K]: '10' } }, { [K]: '10' }, true),
    cond('NumericGreaterThan', { NumericGreaterThan: { [K]: '10' } }, { [K]: '10.5' }, true),
    cond('NumericGreaterThanEquals', { NumericGreaterThanEquals: { [K]: '10' } }, { [K]: '9' }, false),
    cond('Numeric: non-numeric request value never matches', { NumericLessThan: { [K]: '10' } }, { [K]: 'many' }, false),
    cond('Numeric: absent key is false', { NumericLessThan: { [K]: '10' } }, {}, false, [K]),
    cond('DateGreaterThan (ISO)', { DateGreaterThan: { [T]: '2024-01-01T00:00:00Z' } }, { [T]: '2024-06-01T00:00:00Z' }, true),
    cond('DateLessThan (ISO)', { DateLessThan: { [T]: '2024-01-01T00:00:00Z' } }, { [T]: '2024-06-01T00:00:00Z' }, false),
    cond('DateLessThanEquals at the instant', { DateLessThanEquals: { [T]: '2024-06-01T00:00:00Z' } }, { [T]: '2024-06-01T00:00:00Z' }, true),
    cond('DateGreaterThanEquals with epoch seconds in the policy', { DateGreaterThanEquals: { [T]: String(Date.UTC(2024, 0, 1) / 1000) } }, { [T]: '2024-01-01T00:00:00Z' }, true),
    cond('DateEquals across time zones', { DateEquals: { [T]: '2024-06-01T02:00:00+02:00' } }, { [T]: '2024-06-01T00:00:00Z' }, true),
    cond('DateNotEquals', { DateNotEquals: { [T]: '2024-06-01T00:00:00Z' } }, { [T]: '2024-06-02T00:00:00Z' }, true),
    cond('Date against aws:EpochTime', { DateLessThan: { 'aws:EpochTime': '2000000000' } }, { 'aws:EpochTime': '1700000000' }, true),
    cond('aws:CurrentTime comes from the clock when absent', { DateGreaterThan: { [T]: '2024-05-31T00:00:00Z' } }, {}, true, []),
    cond('aws:CurrentTime from the clock, failing', { DateLessThan: { [T]: '2024-05-31T00:00:00Z' } }, {}, false, []),
    cond('Date: unparseable request value never matches', { DateLessThan: { [T]: '2030-01-01T00:00:00Z' } }, { [T]: 'soon' }, false),
    cond('Bool true', { Bool: { 'aws:SecureTransport': 'true' } }, { 'aws:SecureTransport': 'true' }, true),
    cond('Bool false vs true', { Bool: { 'aws:SecureTransport': false } }, { 'aws:SecureTransport': 'true' }, false),
    cond('Bool compares without case', { Bool: { 'aws:MultiFactorAuthPresent': 'true' } }, { 'aws:MultiFactorAuthPresent': 'TRUE' }, true),
    cond('Bool: absent key is false', { Bool: { 'aws:MultiFactorAuthPresent': 'true' } }, {}, false, ['aws:MultiFactorAuthPresent']),
    cond('BinaryEquals', { BinaryEquals: { 'app:blob': 'QmluYXJ5VmFsdWU=' } }, { 'app:blob': 'QmluYXJ5VmFsdWU=' }, true),
    cond('BinaryEquals different bytes', { BinaryEquals: { 'app:blob': 'QmluYXJ5VmFsdWU=' } }, { 'app:blob': 'QUJD' }, false),
  ];
  for (const c of cases) test(c.name, () => runCase(c));
});

describe('IP and ARN operators', () => {
  const IP = 'aws:SourceIp';
  const SA = 'aws:SourceArn';
  const cases: Case[] = [
    cond('IpAddress IPv4 CIDR', { IpAddress: { [IP]: '203.0.113.0/24' } }, { [IP]: '203.0.113.9' }, true),
    cond('IpAddress outside', { IpAddress: { [IP]: '203.0.113.0/24' } }, { [IP]: '198.51.100.1' }, false),
    cond('IpAddress bare address means /32', { IpAddress: { [IP]: '203.0.113.9' } }, { [IP]: '203.0.113.9' }, true),
    cond('IpAddress IPv6 CIDR', { IpAddress: { [IP]: '2001:DB8:1234:5678::/64' } }, { [IP]: '2001:db8:1234:5678::42' }, true),
    cond('IpAddress mixed list (OR)', { IpAddress: { [IP]: ['203.0.113.0/24', '2001:DB8::/32'] } }, { [IP]: '2001:db8::1' }, true),
    cond('NotIpAddress outside', { NotIpAddress: { [IP]: '10.0.0.0/8' } }, { [IP]: '203.0.113.9' }, true),
    cond('NotIpAddress inside', { NotIpAddress: { [IP]: '10.0.0.0/8' } }, { [IP]: '10.1.1.1' }, false),
    cond('NotIpAddress list is NOR', { NotIpAddress: { [IP]: ['10.0.0.0/8', '192.168.0.0/16'] } }, { [IP]: '192.168.1.1' }, false),
    cond('NotIpAddress: absent key is true', { NotIpAddress: { [IP]: '10.0.0.0/8' } }, {}, true),
    cond('IpAddress: garbage request value', { IpAddress: { [IP]: '0.0.0.0/0' } }, { [IP]: 'localhost' }, false),
    cond('ArnEquals exact', { ArnEquals: { [SA]: 'arn:aws:sns:us-east-1:111111111111:topic' } }, { [SA]: 'arn:aws:sns:us-east-1:111111111111:topic' }, true),
    cond('ArnEquals also takes wildcards', { ArnEquals: { [SA]: 'arn:aws:sns:*:111111111111:*' } }, { [SA]: 'arn:aws:sns:us-east-1:111111111111:topic' }, true),
    cond('ArnLike wildcard', { ArnLike: { [SA]: 'arn:aws:s3:::bucket-*' } }, { [SA]: 'arn:aws:s3:::bucket-1' }, true),
    cond('ArnLike checks each segment (doc example)', { ArnLike: { [SA]: 'arn:aws:someservice:*:111122223333:finance/*' } },
      { [SA]: 'arn:aws:someservice:us-east-2:999999999999:store/abc:111122223333:finance/document.txt' }, false),
    cond('StringLike spans segments where ArnLike does not (doc example)', { StringLike: { [SA]: 'arn:aws:someservice:*:111122223333:finance/*' } },
      { [SA]: 'arn:aws:someservice:us-east-2:999999999999:store/abc:111122223333:finance/document.txt' }, true),
    cond('ArnLike: non-ARN value', { ArnLike: { [SA]: 'arn:aws:s3:::*' } }, { [SA]: 'bucket' }, false),
    cond('ArnNotEquals', { ArnNotEquals: { [SA]: 'arn:aws:s3:::a' } }, { [SA]: 'arn:aws:s3:::b' }, true),
    cond('ArnNotLike matching', { ArnNotLike: { [SA]: 'arn:aws:s3:::a*' } }, { [SA]: 'arn:aws:s3:::abc' }, false),
    cond('ArnNotLike: absent key is true', { ArnNotLike: { [SA]: 'arn:aws:s3:::a*' } }, {}, true),
    cond('aws:PrincipalArn of a role session is the role ARN', { ArnEquals: { 'aws:PrincipalArn': 'arn:aws:iam::111111111111:role/app' } }, {}, true, [], roleSession()),
  ];
  for (const c of cases) test(c.name, () => runCase(c));
});

describe('Null, IfExists, set qualifiers, combination', () => {
  const TK = 'aws:TagKeys';
  const cases: Case[] = [
    cond('Null true: key absent', { Null: { 'aws:TokenIssueTime': 'true' } }, {}, true, ['aws:TokenIssueTime']),
    cond('Null true: key present', { Null: { 'aws:TokenIssueTime': 'true' } }, { 'aws:TokenIssueTime': '2024-01-01T00:00:00Z' }, false),
    cond('Null false: key present', { Null: { 'aws:TokenIssueTime': 'false' } }, { 'aws:TokenIssueTime': '2024-01-01T00:00:00Z' }, true),
    cond('Null false: key absent', { Null: { 'aws:TokenIssueTime': false } }, {}, false),
    cond('Null sees an empty list as absent', { Null: { [TK]: 'true' } }, { [TK]: [] }, true),
    cond('StringEqualsIfExists: absent key is true', { StringEqualsIfExists: { 'ec2:InstanceType': 't2.micro' } }, {}, true),
    cond('StringEqualsIfExists: present and different', { StringEqualsIfExists: { 'ec2:InstanceType': 't2.micro' } }, { 'ec2:InstanceType': 'm5.large' }, false),
    cond('StringLikeIfExists: present and matching', { StringLikeIfExists: { 'ec2:InstanceType': 't2.*' } }, { 'ec2:InstanceType': 't2.nano' }, true),
    cond('NumericLessThanIfExists: absent', { NumericLessThanIfExists: { 's3:max-keys': '10' } }, {}, true),
    cond('IpAddressIfExists: absent', { IpAddressIfExists: { 'aws:SourceIp': '10.0.0.0/8' } }, {}, true),
    cond('ArnLikeIfExists: present, failing', { ArnLikeIfExists: { 'aws:SourceArn': 'arn:aws:s3:::a' } }, { 'aws:SourceArn': 'arn:aws:s3:::b' }, false),
    cond('ForAllValues: subset', { 'ForAllValues:StringEquals': { [TK]: ['a', 'b', 'c'] } }, { [TK]: ['a', 'c'] }, true),
    cond('ForAllValues: not a subset', { 'ForAllValues:StringEquals': { [TK]: ['a', 'b'] } }, { [TK]: ['a', 'z'] }, false),
    cond('ForAllValues: absent key is true', { 'ForAllValues:StringEquals': { [TK]: ['a'] } }, {}, true, [TK]),
    cond('ForAllValues: empty list is true', { 'ForAllValues:StringEquals': { [TK]: ['a'] } }, { [TK]: [] }, true),
    cond('ForAllValues: empty string is an empty set', { 'ForAllValues:StringEquals': { [TK]: ['a'] } }, { [TK]: '' }, true),
    cond('ForAllValues:StringLike', { 'ForAllValues:StringLike': { [TK]: 'env-*' } }, { [TK]: ['env-a', 'env-b'] }, true),
    cond('ForAnyValue: one matches', { 'ForAnyValue:StringEquals': { [TK]: ['x', 'b'] } }, { [TK]: ['a', 'b'] }, true),
    cond('ForAnyValue: none match', { 'ForAnyValue:StringEquals': { [TK]: ['x'] } }, { [TK]: ['a', 'b'] }, false),
    cond('ForAnyValue: absent key is false', { 'ForAnyValue:StringEquals': { [TK]: ['x'] } }, {}, false, [TK]),
    cond('ForAnyValue: empty list is false', { 'ForAnyValue:StringEquals': { [TK]: ['x'] } }, { [TK]: [] }, false),
    cond('ForAllValues:StringNotLike (doc): key1:legal', { 'ForAllValues:StringNotLike': { [TK]: 'key1*' } }, { [TK]: ['key1:legal'] }, false),
    cond('ForAllValues:StringNotLike (doc): key1:hr, key1:personnel', { 'ForAllValues:StringNotLike': { [TK]: 'key1*' } }, { [TK]: ['key1:hr', 'key1:personnel'] }, false),
    cond('ForAllValues:StringNotLike (doc): key2:audit', { 'ForAllValues:StringNotLike': { [TK]: 'key1*' } }, { [TK]: ['key2:audit'] }, true),
    cond('ForAllValues:StringNotLike (doc): no key', { 'ForAllValues:StringNotLike': { [TK]: 'key1*' } }, {}, true),
    cond('ForAnyValue:StringNotEquals: one value outside the list', { 'ForAnyValue:StringNotEquals': { [TK]: ['a'] } }, { [TK]: ['a', 'b'] }, true),
    cond('ForAnyValue:StringNotEquals: all in the list', { 'ForAnyValue:StringNotEquals': { [TK]: ['a', 'b'] } }, { [TK]: ['b', 'a'] }, false),
    cond('ForAllValues:StringEqualsIfExists: absent', { 'ForAllValues:StringEqualsIfExists': { [TK]: ['a'] } }, {}, true),
    cond('unqualified operator on a multi-valued key: any value', { StringEquals: { [TK]: 'b' } }, { [TK]: ['a', 'b'] }, true),
    cond('two keys under one operator are AND (both hold)', { StringEquals: { 'aws:PrincipalTag/a': '1', 'aws:PrincipalTag/b': '2' } }, { 'aws:PrincipalTag/a': '1', 'aws:PrincipalTag/b': '2' }, true),
    cond('two keys under one operator are AND (one fails)', { StringEquals: { 'aws:PrincipalTag/a': '1', 'aws:PrincipalTag/b': '2' } }, { 'aws:PrincipalTag/a': '1', 'aws:PrincipalTag/b': '3' }, false),
    cond('two operators are AND', { StringEquals: { 'aws:RequestedRegion': 'us-east-1' }, Bool: { 'aws:SecureTransport': 'true' } }, { 'aws:RequestedRegion': 'us-east-1', 'aws:SecureTransport': 'false' }, false),
    cond('every missing key of a relevant statement is reported', { StringEquals: { 'aws:RequestTag/a': '1' }, Bool: { 'aws:SecureTransport': 'true' } }, {}, false, ['aws:RequestTag/a', 'aws:SecureTransport']),
    cond('aws:PrincipalAccount and aws:PrincipalType are derived from the principal', { StringEquals: { 'aws:PrincipalAccount': '111111111111', 'aws:PrincipalType': 'User' } }, {}, true, []),
    cond('the request context overrides derived keys', { StringEquals: { 'aws:username': 'bob' } }, { 'aws:username': 'bob' }, true),
  ];
  for (const c of cases) test(c.name, () => runCase(c));

  test('Deny when not over TLS: explicit deny from the condition statement', () => {
    runCase({
      name: 'tls',
      request: req(user(), { context: { 'aws:SecureTransport': 'false' } }),
      policies: { identity: [pol([allow('All'), deny('TLSOnly', { Condition: { Bool: { 'aws:SecureTransport': 'false' } } })])] },
      expect: { decision: 'ExplicitDeny', sid: 'TLSOnly' },
    });
  });
  test('Deny with StringNotEqualsIfExists still denies when the key is present and different', () => {
    runCase({
      name: 'ifexists deny',
      request: req(user(), { context: { 'aws:RequestedRegion': 'eu-west-1' } }),
      policies: { identity: [pol([allow('All'), deny('Region', { Condition: { StringNotEqualsIfExists: { 'aws:RequestedRegion': 'us-east-1' } } })])] },
      expect: { decision: 'ExplicitDeny', sid: 'Region' },
    });
  });
  test(`${U} is not derived for role sessions`, () => {
    runCase(cond('no username', { StringEquals: { [U]: 'app' } }, {}, false, [U], roleSession()));
  });
});

describe('every operator with IfExists', () => {
  // [operator, policy value, request value that satisfies the operator]
  const table: Array<[string, string, string]> = [
    ['StringEquals', 'a', 'a'], ['StringNotEquals', 'a', 'b'], ['StringEqualsIgnoreCase', 'A', 'a'], ['StringNotEqualsIgnoreCase', 'A', 'b'],
    ['StringLike', 'a*', 'abc'], ['StringNotLike', 'a*', 'xyz'],
    ['NumericEquals', '5', '5'], ['NumericNotEquals', '5', '6'], ['NumericLessThan', '5', '4'], ['NumericLessThanEquals', '5', '5'],
    ['NumericGreaterThan', '5', '6'], ['NumericGreaterThanEquals', '5', '5'],
    ['DateEquals', '2024-01-01T00:00:00Z', '2024-01-01T00:00:00Z'], ['DateNotEquals', '2024-01-01T00:00:00Z', '2024-01-02T00:00:00Z'],
    ['DateLessThan', '2024-01-01T00:00:00Z', '2023-12-31T00:00:00Z'], ['DateLessThanEquals', '2024-01-01T00:00:00Z', '2024-01-01T00:00:00Z'],
    ['DateGreaterThan', '2024-01-01T00:00:00Z', '2024-01-02T00:00:00Z'], ['DateGreaterThanEquals', '2024-01-01T00:00:00Z', '2024-01-01T00:00:00Z'],
    ['Bool', 'true', 'true'], ['BinaryEquals', 'QUJD', 'QUJD'], ['IpAddress', '10.0.0.0/8', '10.9.9.9'], ['NotIpAddress', '10.0.0.0/8', '192.0.2.1'],
    ['ArnEquals', 'arn:aws:s3:::a', 'arn:aws:s3:::a'], ['ArnLike', 'arn:aws:s3:::a*', 'arn:aws:s3:::ab'],
    ['ArnNotEquals', 'arn:aws:s3:::a', 'arn:aws:s3:::b'], ['ArnNotLike', 'arn:aws:s3:::a*', 'arn:aws:s3:::b'],
  ];
  const K = 'app:key';
  for (const [op, policyValue, good] of table) {
    test(`${op}IfExists: absent key holds, present key is tested`, () => {
      runCase(cond('absent', { [`${op}IfExists`]: { [K]: policyValue } }, {}, true));
      runCase(cond('present, satisfying', { [`${op}IfExists`]: { [K]: policyValue } }, { [K]: good }, true));
      runCase(cond('present, base operator agrees', { [op]: { [K]: policyValue } }, { [K]: good }, true));
    });
  }
});
