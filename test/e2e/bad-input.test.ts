import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type { Cloudlet } from '../../src/server/server.js';
import { startTestServer } from '../helpers/server.js';
import { queryRequest, signedFetch } from '../helpers/sign.js';

const xmlCode = (body: string) => /<Code>([^<]+)<\/Code>/.exec(body)?.[1];

describe('bad input gets the AWS error in the protocol shape, never a 5xx', () => {
  let cl: Cloudlet;
  before(async () => { cl = await startTestServer({ maxBodyBytes: 1024 * 1024 }); });
  after(async () => { await cl.close(); });

  test('query: unknown action, missing action, bad percent-encoding', async () => {
    let r = await signedFetch(cl.url, 'sts', queryRequest({ Action: 'Frobnicate', Version: '2011-06-15' }));
    assert.equal(r.status, 400);
    let body = await r.text();
    assert.equal(xmlCode(body), 'InvalidAction');
    assert.match(body, /<ErrorResponse xmlns="https:\/\/sts.amazonaws.com\/doc\/2011-06-15\/">/);
    assert.match(body, /<RequestId>[0-9a-f-]{36}<\/RequestId>/);
    r = await signedFetch(cl.url, 'sts', queryRequest({ Version: '2011-06-15' }));
    assert.equal(r.status, 400);
    assert.equal(xmlCode(await r.text()), 'MissingAction');
    r = await signedFetch(cl.url, 'sts', { ...queryRequest({}), body: 'Action=GetCallerIdentity&Version=2011-06-15&Bad=%zz' });
    assert.equal(r.status, 400);
    assert.equal(xmlCode(await r.text()), 'MalformedQueryString');
  });

  test('query: a missing required member is ValidationError (STS) / MissingParameter (EC2)', async () => {
    let r = await signedFetch(cl.url, 'sts', queryRequest({ Action: 'AssumeRole', Version: '2011-06-15', RoleSessionName: 's' }));
    assert.equal(r.status, 400);
    let body = await r.text();
    assert.equal(xmlCode(body), 'ValidationError');
    assert.match(body, /Value null at &apos;roleArn&apos; failed to satisfy constraint: Member must not be null/);
    r = await signedFetch(cl.url, 'ec2', queryRequest({ Action: 'RunInstances', Version: '2016-11-15', ImageId: 'ami-12345678', MaxCount: '1' }));
    assert.equal(r.status, 400);
    body = await r.text();
    assert.equal(xmlCode(body), 'MissingParameter');
    assert.match(body, /<Response><Errors><Error><Code>MissingParameter<\/Code><Message>The request must contain the parameter MinCount/);
  });

  test('query: values of the wrong type', async () => {
    let r = await signedFetch(cl.url, 'ec2', queryRequest({ Action: 'DescribeRegions', Version: '2016-11-15', DryRun: 'maybe' }));
    assert.equal(r.status, 400);
    assert.equal(xmlCode(await r.text()), 'InvalidParameterValue');
    r = await signedFetch(cl.url, 'sts', queryRequest({ Action: 'GetSessionToken', Version: '2011-06-15', DurationSeconds: 'soon' }));
    assert.equal(r.status, 400);
    assert.equal(xmlCode(await r.text()), 'ValidationError');
  });

  test('json: invalid JSON, wrong types, missing members, unknown target', async () => {
    const ecr = (target: string, body: string) => signedFetch(cl.url, 'ecr', {
      headers: { 'content-type': 'application/x-amz-json-1.1', 'x-amz-target': `AmazonEC2ContainerRegistry_V20150921.${target}` },
      body,
    });
    let r = await ecr('DescribeRepositories', '{"repositoryNames": [');
    assert.equal(r.status, 400);
    assert.equal((await r.json() as { __type: string }).__type.split('#').pop(), 'SerializationException');
    r = await ecr('DescribeRepositories', '{"maxResults": "ten"}');
    assert.equal(r.status, 400);
    assert.equal((await r.json() as { __type: string }).__type.split('#').pop(), 'SerializationException');
    r = await ecr('CreateRepository', '{}');
    assert.equal(r.status, 400);
    const v = await r.json() as { __type: string; message: string };
    assert.equal(v.__type.split('#').pop(), 'InvalidParameterException');
    assert.equal(v.message, "Invalid parameter at 'repositoryName' failed to satisfy constraint: 'must not be null'");
    r = await ecr('NoSuchThing', '{}');
    assert.equal(r.status, 400);
    assert.equal((await r.json() as { __type: string }).__type.split('#').pop(), 'UnknownOperationException');
  });

  test('rest-xml: malformed XML is MalformedXML', async () => {
    const r = await signedFetch(cl.url, 's3', { method: 'PUT', path: '/some-bucket', query: { tagging: '' }, headers: { 'content-type': 'application/xml' }, body: '<Tagging><TagSet><Tag>' });
    assert.equal(r.status, 400);
    assert.equal(xmlCode(await r.text()), 'MalformedXML');
  });

  test('an oversized body is refused with 413, not read into memory', async () => {
    const r = await signedFetch(cl.url, 'sts', { ...queryRequest({}), body: `Action=GetCallerIdentity&Version=2011-06-15&Pad=${'x'.repeat(2 * 1024 * 1024)}` });
    assert.equal(r.status, 413);
    assert.equal(xmlCode(await r.text()), 'RequestEntityTooLarge');
  });

  test('an unknown service in the credential scope is refused', async () => {
    const r = await signedFetch(cl.url, 'frobnicator', queryRequest({ Action: 'X' }));
    assert.equal(r.status, 400);
    assert.equal(xmlCode(await r.text()), 'UnknownService');
  });

  test('unsigned requests: MissingAuthenticationToken (query), AccessDenied (S3)', async () => {
    let r = await fetch(cl.url, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: 'Action=GetCallerIdentity&Version=2011-06-15' });
    assert.equal(r.status, 403);
    assert.equal(xmlCode(await r.text()), 'MissingAuthenticationToken');
    r = await fetch(`${cl.url}/`);
    assert.equal(r.status, 403);
    assert.equal(xmlCode(await r.text()), 'AccessDenied');
  });

  test('a signature more than 15 minutes old: each protocol names it its own way', async () => {
    const date = new Date(Date.now() - 20 * 60_000);
    let r = await signedFetch(cl.url, 'sts', queryRequest({ Action: 'GetCallerIdentity', Version: '2011-06-15' }), { date });
    assert.equal(r.status, 403);
    let body = await r.text();
    assert.equal(xmlCode(body), 'SignatureDoesNotMatch');
    assert.match(body, /Signature expired/);
    r = await signedFetch(cl.url, 'ec2', queryRequest({ Action: 'DescribeRegions', Version: '2016-11-15' }), { date });
    assert.equal(xmlCode(await r.text()), 'RequestExpired');
    r = await signedFetch(cl.url, 's3', { method: 'GET', path: '/' }, { date });
    assert.equal(r.status, 403);
    assert.equal(xmlCode(await r.text()), 'RequestTimeTooSkewed');
  });

  test('the clock moving forward does not make fresh signatures look skewed', async () => {
    cl.deps.clock.advance(31 * 86_400_000);
    try {
      const r = await signedFetch(cl.url, 'sts', queryRequest({ Action: 'GetCallerIdentity', Version: '2011-06-15' }));
      assert.equal(r.status, 200);
    } finally {
      cl.deps.clock.setOffset(0);
    }
  });

  test('an internal fault answers InternalFailure with a request ID and no stack', async () => {
    const sts = await cl.deps.registry.get('sts');
    const original = sts.def.handlers.GetCallerIdentity!;
    sts.def.handlers.GetCallerIdentity = () => { throw new TypeError('boom at secret/place.ts:12'); };
    try {
      const r = await signedFetch(cl.url, 'sts', queryRequest({ Action: 'GetCallerIdentity', Version: '2011-06-15' }));
      assert.equal(r.status, 500);
      const body = await r.text();
      assert.equal(xmlCode(body), 'InternalFailure');
      assert.match(body, /<RequestId>[0-9a-f-]{36}<\/RequestId>/);
      assert.doesNotMatch(body, /boom|place\.ts|TypeError/);
    } finally {
      sts.def.handlers.GetCallerIdentity = original;
    }
  });

  test('malformed Authorization headers are IncompleteSignature, never a 5xx', async () => {
    for (const auth of ['AWS4-HMAC-SHA256', 'AWS4-HMAC-SHA256 Credential=test/20260101/us-east-1/sts/aws4_request', 'Bearer xyz', 'AWS4-HMAC-SHA256 Credential=, SignedHeaders=, Signature=']) {
      const r = await fetch(cl.url, { method: 'POST', headers: { authorization: auth, 'content-type': 'application/x-www-form-urlencoded' }, body: 'Action=GetCallerIdentity&Version=2011-06-15' });
      assert.ok(r.status >= 400 && r.status < 500, `${auth}: ${r.status}`);
    }
  });
});
