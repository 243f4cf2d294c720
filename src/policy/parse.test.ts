import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { parsePolicy } from './parse.js';
import { PolicyError, type PolicyKind } from './types.js';

const V = '2012-10-17';
const doc = (statement: unknown, extra: Record<string, unknown> = {}): string =>
  JSON.stringify({ Version: V, Statement: statement, ...extra });
const ok = { Effect: 'Allow', Action: 's3:GetObject', Resource: '*' };
const rok = { Effect: 'Allow', Principal: '*', Action: 's3:GetObject', Resource: '*' };

describe('parsePolicy errors', () => {
  const cases: Array<{ name: string; json: string; kind?: PolicyKind; message: RegExp }> = [
    { name: 'invalid JSON', json: '{"Version": ', message: /^Syntax errors in policy\./ },
    { name: 'not an object', json: '[1]', message: /must be a JSON object/ },
    { name: 'bad Version', json: JSON.stringify({ Version: '2012-10-18', Statement: [ok] }), message: /Invalid policy Version "2012-10-18"/ },
    { name: 'numeric Version', json: JSON.stringify({ Version: 2012, Statement: [ok] }), message: /Invalid policy Version 2012/ },
    { name: 'missing Statement', json: JSON.stringify({ Version: V }), message: /^Missing required field Statement$/ },
    { name: 'unknown top-level element', json: doc([ok], { Foo: 1 }), message: /Unknown field Foo at the top level/ },
    { name: 'statement not an object', json: doc(['x']), message: /Statement 0 must be a JSON object/ },
    { name: 'unknown statement element', json: doc([{ ...ok, Sid: 'S1', Actions: ['x:y'] }]), message: /Statement S1: Unknown field Actions/ },
    { name: 'missing Effect', json: doc([{ Action: 's3:*', Resource: '*' }]), message: /Statement 0: Missing required field Effect/ },
    { name: 'bad Effect', json: doc([{ ...ok, Effect: 'allow' }]), message: /Invalid effect: allow/ },
    { name: 'Action and NotAction', json: doc([{ ...ok, NotAction: 's3:PutObject' }]), message: /both Action and NotAction/ },
    { name: 'no Action', json: doc([{ Effect: 'Allow', Resource: '*' }]), message: /Policy statement must contain actions\./ },
    { name: 'empty Action list', json: doc([{ ...ok, Action: [] }]), message: /must contain actions/ },
    { name: 'Action without vendor', json: doc([{ ...ok, Action: 'GetObject' }]), message: /must be prefaced by a vendor/ },
    { name: 'Action with bad vendor', json: doc([{ ...ok, Action: 's 3:GetObject' }]), message: /Vendor s 3 is not valid/ },
    { name: 'Action not a string', json: doc([{ ...ok, Action: 5 }]), message: /Action must be a string or an array of strings/ },
    { name: 'Resource missing in identity policy', json: doc([{ Effect: 'Allow', Action: 's3:*' }]), message: /Policy statement must contain resources\./ },
    { name: 'Resource missing in boundary', json: doc([{ Effect: 'Allow', Action: 's3:*' }]), kind: 'boundary', message: /must contain resources/ },
    { name: 'Resource and NotResource', json: doc([{ ...ok, NotResource: '*' }]), message: /both Resource and NotResource/ },
    { name: 'invalid ARN in Resource', json: doc([{ ...ok, Resource: 'bucket/key' }]), message: /Resource bucket\/key must be in ARN format or "\*"\./ },
    { name: 'ARN with too few segments', json: doc([{ ...ok, Resource: 'arn:aws:s3:bucket' }]), message: /must be in ARN format/ },
    { name: 'bad partition', json: doc([{ ...ok, Resource: 'arn:azure:s3:::b' }]), message: /Partition "azure" is not valid/ },
    { name: 'Principal in identity policy', json: doc([{ ...ok, Principal: '*' }]), message: /should not specify a principal/ },
    { name: 'NotPrincipal in session policy', json: doc([{ ...ok, NotPrincipal: { AWS: '*' } }]), kind: 'session', message: /should not specify a principal/ },
    { name: 'Principal missing in resource policy', json: doc([ok]), kind: 'resource', message: /Missing required field Principal/ },
    { name: 'Principal missing in trust policy', json: doc([{ Effect: 'Allow', Action: 'sts:AssumeRole' }]), kind: 'trust', message: /Missing required field Principal/ },
    { name: 'Resource in trust policy', json: doc([rok]), kind: 'trust', message: /Has prohibited field Resource/ },
    { name: 'Principal and NotPrincipal', json: doc([{ ...rok, NotPrincipal: '*' }]), kind: 'resource', message: /both Principal and NotPrincipal/ },
    { name: 'unknown principal type', json: doc([{ ...rok, Principal: { User: 'x' } }]), kind: 'resource', message: /Invalid principal type User/ },
    { name: 'malformed AWS principal', json: doc([{ ...rok, Principal: { AWS: 'bob' } }]), kind: 'resource', message: /Invalid principal in policy: "AWS":"bob"/ },
    { name: 'partial wildcard principal', json: doc([{ ...rok, Principal: { AWS: 'arn:aws:iam::111111111111:user/*' } }]), kind: 'resource', message: /Invalid principal in policy/ },
    { name: 'unknown condition operator', json: doc([{ ...ok, Condition: { StringEqualz: { 'aws:username': 'a' } } }]), message: /Invalid Condition type : StringEqualz/ },
    { name: 'Null with IfExists', json: doc([{ ...ok, Condition: { NullIfExists: { 'aws:username': 'true' } } }]), message: /Invalid Condition type : NullIfExists/ },
    { name: 'unknown set qualifier', json: doc([{ ...ok, Condition: { 'ForSomeValues:StringEquals': { 'app:k': 'a' } } }]), message: /Invalid Condition type/ },
    { name: 'Condition not an object', json: doc([{ ...ok, Condition: 'x' }]), message: /Condition must be an object/ },
    { name: 'Condition value object', json: doc([{ ...ok, Condition: { StringEquals: { 'app:k': { a: 1 } } } }]), message: /condition values must be strings, numbers or booleans/ },
    { name: 'bad numeric value', json: doc([{ ...ok, Condition: { NumericLessThan: { 's3:max-keys': 'ten' } } }]), message: /Invalid numeric value "ten"/ },
    { name: 'bad date', json: doc([{ ...ok, Condition: { DateLessThan: { 'aws:CurrentTime': 'tomorrow' } } }]), message: /Invalid date "tomorrow"/ },
    { name: 'bad CIDR', json: doc([{ ...ok, Condition: { IpAddress: { 'aws:SourceIp': '10.0.0.0/33' } } }]), message: /Invalid IP address or CIDR block/ },
    { name: 'bad Bool', json: doc([{ ...ok, Condition: { Bool: { 'aws:SecureTransport': 'yes' } } }]), message: /Invalid boolean "yes"/ },
    { name: 'bad Null', json: doc([{ ...ok, Condition: { Null: { 'app:k': 'maybe' } } }]), message: /Invalid Null value/ },
    { name: 'bad base64', json: doc([{ ...ok, Condition: { BinaryEquals: { 'app:k': '***' } } }]), message: /Invalid base64 value/ },
    { name: 'condition key without vendor', json: doc([{ ...ok, Condition: { StringEquals: { username: 'a' } } }]), message: /must be prefaced by a vendor.*condition key "username"/ },
    { name: 'non-alphanumeric Sid in an IAM policy', json: doc([{ ...ok, Sid: 'read-only' }]), message: /Statement IDs \(SID\) must be alpha-numeric/ },
    { name: 'duplicate Sid', json: doc([{ ...ok, Sid: 'A' }, { ...ok, Sid: 'A' }]), message: /must be unique/ },
  ];
  for (const c of cases) {
    test(c.name, () => {
      assert.throws(() => parsePolicy(c.json, { kind: c.kind ?? 'identity' }), (e: unknown) => {
        assert.ok(e instanceof PolicyError, String(e));
        assert.equal(e.code, 'MalformedPolicyDocument');
        assert.match(e.message, c.message);
        return true;
      });
    });
  }
});

describe('parsePolicy normalisation', () => {
  test('single statement object, single strings and typed condition values become arrays of strings', () => {
    const p = parsePolicy(doc({ Sid: 'One', Effect: 'Deny', NotAction: 'iam:*', NotResource: 'arn:aws:s3:::b',
      Condition: { Bool: { 'aws:SecureTransport': false }, NumericLessThan: { 's3:max-keys': [10, '20'] } } }), { id: 'P' });
    assert.equal(p.id, 'P');
    assert.equal(p.version, '2012-10-17');
    assert.deepEqual(p.statements, [{ sid: 'One', effect: 'Deny', notAction: ['iam:*'], notResource: ['arn:aws:s3:::b'],
      condition: { Bool: { 'aws:SecureTransport': ['false'] }, NumericLessThan: { 's3:max-keys': ['10', '20'] } } }]);
  });
  test('Principal "*" normalises to {AWS: ["*"]}; account id and service forms are kept', () => {
    const p = parsePolicy(doc([{ ...rok, Principal: '*' }, { ...rok, Principal: { AWS: '111111111111', Service: 'ec2.amazonaws.com' } }]), { kind: 'resource' });
    assert.deepEqual(p.statements[0]!.principal, { AWS: ['*'] });
    assert.deepEqual(p.statements[1]!.principal, { AWS: ['111111111111'], Service: ['ec2.amazonaws.com'] });
  });
  test('bucket policies may use any Sid text', () => {
    assert.equal(parsePolicy(doc([{ ...rok, Sid: 'Allow public read' }]), { kind: 'resource' }).statements[0]!.sid, 'Allow public read');
  });
  test('document Id is the default policy id', () => {
    assert.equal(parsePolicy(doc([ok], { Id: 'Doc1' })).id, 'Doc1');
  });
  test('missing Version is accepted as 2008-10-17 by default, for every kind', () => {
    assert.equal(parsePolicy(JSON.stringify({ Statement: ok })).version, '2008-10-17');
    assert.equal(parsePolicy(JSON.stringify({ Statement: ok }), { kind: 'session' }).version, '2008-10-17');
    assert.equal(parsePolicy(JSON.stringify({ Statement: rok }), { kind: 'resource' }).version, '2008-10-17');
    const trust = { Effect: 'Allow', Principal: { Service: 'ec2.amazonaws.com' }, Action: 'sts:AssumeRole' };
    assert.equal(parsePolicy(JSON.stringify({ Statement: trust }), { kind: 'trust' }).version, '2008-10-17');
  });
  test('missing Version is rejected when allowMissingVersion is false', () => {
    assert.throws(() => parsePolicy(JSON.stringify({ Statement: [ok] }), { allowMissingVersion: false }),
      (e: unknown) => e instanceof PolicyError && e.message === 'Missing required field Version');
  });
  test('resource policy without Resource (ECR style) is accepted', () => {
    const p = parsePolicy(doc([{ Effect: 'Allow', Principal: '*', Action: 'ecr:*' }]), { kind: 'resource' });
    assert.equal(p.statements[0]!.resource, undefined);
  });
  test('trust policy accepts Federated and Service principals and condition operators in any case', () => {
    const p = parsePolicy(doc([{ Effect: 'Allow', Principal: { Federated: 'arn:aws:iam::111111111111:oidc-provider/example.com' },
      Action: 'sts:AssumeRoleWithWebIdentity', Condition: { stringequals: { 'example.com:aud': 'x' } } }]), { kind: 'trust' });
    assert.equal(p.kind, 'trust');
  });
  test('every documented operator name, IfExists form and qualifier parses', () => {
    const ops = ['StringEquals', 'StringNotEquals', 'StringEqualsIgnoreCase', 'StringNotEqualsIgnoreCase', 'StringLike', 'StringNotLike',
      'NumericEquals', 'NumericNotEquals', 'NumericLessThan', 'NumericLessThanEquals', 'NumericGreaterThan', 'NumericGreaterThanEquals',
      'DateEquals', 'DateNotEquals', 'DateLessThan', 'DateLessThanEquals', 'DateGreaterThan', 'DateGreaterThanEquals',
      'Bool', 'BinaryEquals', 'IpAddress', 'NotIpAddress', 'ArnEquals', 'ArnLike', 'ArnNotEquals', 'ArnNotLike'];
    const sample: Record<string, string> = { Numeric: '1', Date: '2020-01-01T00:00:00Z', Bool: 'true', Binary: 'QQ==', IpAddress: '10.0.0.0/8', NotIpAddress: '10.0.0.0/8' };
    const value = (op: string): string => Object.entries(sample).find(([k]) => op.startsWith(k))?.[1] ?? 'x';
    for (const op of ops) {
      for (const name of [op, `${op}IfExists`, `ForAllValues:${op}`, `ForAnyValue:${op}IfExists`]) {
        parsePolicy(doc([{ ...ok, Condition: { [name]: { 'aws:SomeKey': value(op) } } }]));
      }
    }
    parsePolicy(doc([{ ...ok, Condition: { Null: { 'aws:SomeKey': 'true' } } }]));
  });
});
