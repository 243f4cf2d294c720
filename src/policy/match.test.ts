import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { cidrContains, parseCidr, parseDate, parseIp } from './scalars.js';
import { allow, deny, pol, req, runCase, user, type Case } from './testkit.js';

const alice = user();

/** One identity policy with statement `sid`; the request is allowed exactly when it matches. */
function matchCase(name: string, stmt: Record<string, unknown>, action: string, resource: string, matches: boolean): Case {
  return {
    name,
    request: req(alice, { action, resource }),
    policies: { identity: [pol([allow('S', stmt)])] },
    expect: matches ? { decision: 'Allow', sid: 'S' } : { decision: 'ImplicitDeny', sid: null },
  };
}

describe('Action / NotAction', () => {
  const cases: Case[] = [
    matchCase('exact action', { Action: 's3:GetObject' }, 's3:GetObject', '*', true),
    matchCase('action is case-insensitive (service and name)', { Action: 'S3:getobject' }, 's3:GetObject', '*', true),
    matchCase('request action case does not matter', { Action: 's3:GetObject' }, 'S3:GETOBJECT', '*', true),
    matchCase('different action', { Action: 's3:GetObject' }, 's3:PutObject', '*', false),
    matchCase('service wildcard', { Action: 's3:*' }, 's3:PutObject', '*', true),
    matchCase('service wildcard, other service', { Action: 's3:*' }, 'sqs:SendMessage', '*', false),
    matchCase('prefix wildcard', { Action: 'iam:Get*' }, 'iam:GetUser', '*', true),
    matchCase('prefix wildcard, no match', { Action: 'iam:Get*' }, 'iam:CreateUser', '*', false),
    matchCase('suffix wildcard', { Action: 'iam:*Report' }, 'iam:GenerateCredentialReport', '*', true),
    matchCase('? matches one character', { Action: 'ec2:Describe?pcs' }, 'ec2:DescribeVpcs', '*', true),
    matchCase('? does not match two', { Action: 'ec2:Describe?cs' }, 'ec2:DescribeVpcs', '*', false),
    matchCase('"*" matches every action', { Action: '*' }, 'kms:Decrypt', '*', true),
    matchCase('list of actions', { Action: ['sqs:SendMessage', 's3:Get*'] }, 's3:GetObjectAcl', '*', true),
    matchCase('NotAction excludes listed action', { Action: undefined, NotAction: 'iam:*' }, 'iam:CreateUser', '*', false),
    matchCase('NotAction applies to other actions', { Action: undefined, NotAction: 'iam:*' }, 's3:GetObject', '*', true),
    matchCase('NotAction is case-insensitive too', { Action: undefined, NotAction: 'IAM:CreateUser' }, 'iam:createuser', '*', false),
  ];
  for (const c of cases) test(c.name, () => runCase(c));
});

describe('Resource / NotResource', () => {
  const obj = 'arn:aws:s3:::bucket/dir/file.txt';
  const cases: Case[] = [
    matchCase('exact ARN', { Resource: obj }, 's3:GetObject', obj, true),
    matchCase('resource is case-sensitive', { Resource: 'arn:aws:s3:::Bucket/dir/file.txt' }, 's3:GetObject', obj, false),
    matchCase('"*" matches every resource', { Resource: '*' }, 's3:GetObject', obj, true),
    matchCase('"*" matches a request without resource', { Resource: '*' }, 's3:ListAllMyBuckets', '*', true),
    matchCase('an ARN pattern does not match a resource-less request', { Resource: 'arn:aws:s3:::*' }, 's3:ListAllMyBuckets', '*', false),
    matchCase('trailing wildcard', { Resource: 'arn:aws:s3:::bucket/*' }, 's3:GetObject', obj, true),
    matchCase('wildcard in the resource part crosses "/"', { Resource: 'arn:aws:s3:::*' }, 's3:GetObject', obj, true),
    matchCase('inner wildcard', { Resource: 'arn:aws:s3:::*log*' }, 's3:GetObject', 'arn:aws:s3:::my-logs', true),
    matchCase('? in resource', { Resource: 'arn:aws:s3:::bucket/dir/file.tx?' }, 's3:GetObject', obj, true),
    matchCase('wildcard region and account segments', { Resource: 'arn:aws:sqs:*:*:queue1' }, 'sqs:SendMessage', 'arn:aws:sqs:us-east-1:111111111111:queue1', true),
    matchCase('a segment wildcard does not span colons', { Resource: 'arn:aws:sqs:*:queue1' + ':x' }, 'sqs:SendMessage', 'arn:aws:sqs:us-east-1:111111111111:queue1:x', false),
    matchCase('resource part may contain colons', { Resource: 'arn:aws:logs:us-east-1:111111111111:log-group:g:*' }, 'logs:PutLogEvents', 'arn:aws:logs:us-east-1:111111111111:log-group:g:log-stream:s', true),
    matchCase('other bucket', { Resource: 'arn:aws:s3:::bucket/*' }, 's3:GetObject', 'arn:aws:s3:::other/x', false),
    matchCase('NotResource excludes listed resource', { Resource: undefined, NotResource: 'arn:aws:s3:::bucket/*' }, 's3:GetObject', obj, false),
    matchCase('NotResource applies elsewhere', { Resource: undefined, NotResource: 'arn:aws:s3:::bucket/*' }, 's3:GetObject', 'arn:aws:s3:::other/x', true),
  ];
  for (const c of cases) test(c.name, () => runCase(c));

  test('Deny with NotAction + NotResource denies everything outside the carve-out (sid reported)', () => {
    runCase({
      name: 'notaction deny',
      request: req(alice, { action: 'ec2:RunInstances', resource: '*' }),
      policies: { identity: [pol([allow('All'), deny('OnlyS3', { Action: undefined, NotAction: 's3:*', Resource: undefined, NotResource: 'arn:aws:s3:::bucket/*' })])] },
      expect: { decision: 'ExplicitDeny', sid: 'OnlyS3', reason: /explicit deny in identity-based policy identity statement OnlyS3/ },
    });
  });
});

describe('scalars', () => {
  const ipCases: Array<[string, string, boolean]> = [
    ['203.0.113.0/24', '203.0.113.77', true],
    ['203.0.113.0/24', '203.0.114.1', false],
    ['203.0.113.5', '203.0.113.5', true],
    ['203.0.113.5', '203.0.113.6', false],
    ['0.0.0.0/0', '8.8.8.8', true],
    ['10.1.2.3/8', '10.200.0.1', true],
    ['2001:DB8:1234:5678::/64', '2001:db8:1234:5678:abcd::1', true],
    ['2001:DB8:1234:5678::/64', '2001:db8:1234:5679::1', false],
    ['::1', '::1', true],
    ['::ffff:0:0/96', '::ffff:192.0.2.1', true],
    ['2001:db8::/32', '203.0.113.5', false],
    ['203.0.113.0/24', '2001:db8::1', false],
  ];
  for (const [cidr, ip, want] of ipCases) {
    test(`CIDR ${cidr} ${want ? 'contains' : 'does not contain'} ${ip}`, () => {
      assert.equal(cidrContains(parseCidr(cidr)!, parseIp(ip)!), want);
    });
  }
  test('invalid addresses are rejected', () => {
    for (const s of ['1.2.3', '256.1.1.1', '1::2::3', 'fffff::', 'abc', '10.0.0.0/33', '::/129']) assert.equal(parseCidr(s), undefined, s);
  });
  test('dates: W3C ISO 8601 forms and epoch seconds', () => {
    const t = Date.UTC(2020, 0, 2, 3, 4, 5);
    assert.equal(parseDate('2020-01-02T03:04:05Z'), t);
    assert.equal(parseDate('2020-01-02T03:04:05.000Z'), t);
    assert.equal(parseDate('2020-01-02T05:04:05+02:00'), t);
    assert.equal(parseDate('20200102T030405Z'), t);
    assert.equal(parseDate(String(t / 1000)), t);
    assert.equal(parseDate('2020-01-02'), Date.UTC(2020, 0, 2));
    assert.equal(parseDate('2020'), Date.UTC(2020, 0, 1));
    assert.equal(parseDate('2020-13-01'), undefined);
    assert.equal(parseDate('yesterday'), undefined);
  });
});
