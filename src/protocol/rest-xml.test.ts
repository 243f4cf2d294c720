import { strict as assert } from 'node:assert';
import { Readable } from 'node:stream';
import { describe, it } from 'node:test';
import { AwsError } from '../core/errors.js';
import type { WireRequest } from './codec.js';
import { loadModel, ServiceModel } from './models.js';
import { restXmlCodec } from './rest-xml.js';

const s3 = loadModel('s3-2006-03-01');
const NS = 'http://s3.amazonaws.com/doc/2006-03-01/';
const DECL = '<?xml version="1.0" encoding="UTF-8"?>\n';

function wire(method: string, target: string, opts: { headers?: Record<string, string>; body?: string | Buffer; bodyStream?: Readable } = {}): WireRequest {
  const q = target.indexOf('?');
  return {
    method, path: q < 0 ? target : target.slice(0, q), query: q < 0 ? '' : target.slice(q + 1),
    headers: opts.headers ?? {}, body: Buffer.from(opts.body ?? ''), bodyStream: opts.bodyStream, host: '127.0.0.1',
  };
}

const resolve = (method: string, target: string, headers?: Record<string, string>, model: ServiceModel = s3) =>
  restXmlCodec.resolveOperation(wire(method, target, { headers }), model);

function parse(method: string, target: string, opts: Parameters<typeof wire>[2] = {}, model: ServiceModel = s3) {
  const req = wire(method, target, opts);
  const op = model.operation(restXmlCodec.resolveOperation(req, model))!;
  return restXmlCodec.parseInput(req, model, op);
}

function awsError(fn: () => unknown): AwsError {
  try {
    fn();
  } catch (e) {
    assert.ok(e instanceof AwsError, `expected AwsError, got ${String(e)}`);
    return e;
  }
  assert.fail('expected an AwsError');
}

const out = (operation: string, output: unknown, model: ServiceModel = s3) =>
  restXmlCodec.serializeOutput(model, model.operation(operation)!, output, { requestId: 'REQ' });
const text = (body: Buffer | Readable) => (body as Buffer).toString('utf8');

/** A tiny rest-xml model for traits S3 does not use (querystring maps, jsonvalue, statusCode, bare bodies). */
const synthetic = new ServiceModel({
  metadata: { apiVersion: '2020-01-01', endpointPrefix: 'syn', protocol: 'rest-xml', serviceId: 'Syn', uid: 'syn-2020-01-01' },
  operations: {
    Search: {
      http: { method: 'GET', requestUri: '/things/{Id}?x-id=Search' },
      input: {
        type: 'structure', required: ['Id'],
        members: {
          Id: { location: 'uri', locationName: 'Id', type: 'integer' },
          Tags: { location: 'querystring', locationName: 'tag', type: 'list', member: { type: 'string' } },
          Since: { location: 'querystring', locationName: 'since', type: 'timestamp' },
          Rest: { location: 'querystring', type: 'map', key: { type: 'string' }, value: { type: 'string' } },
          Doc: { location: 'header', locationName: 'x-doc', type: 'string', jsonvalue: true },
          Stamps: { location: 'header', locationName: 'x-stamps', type: 'list', member: { type: 'timestamp' } },
        },
      },
      output: {
        type: 'structure',
        members: {
          Code: { location: 'statusCode', type: 'integer' },
          Items: { type: 'map', flattened: true, locationName: 'Item', key: { type: 'string', locationName: 'K' }, value: { type: 'double', locationName: 'V' } },
          Names: { type: 'list', member: { type: 'string' } },
        },
      },
    },
    Put: {
      http: { method: 'PUT', requestUri: '/things' },
      input: { type: 'structure', locationName: 'PutRequest', members: { Name: { type: 'string' }, Count: { type: 'long' } } },
    },
  },
  shapes: {},
});

describe('resolveOperation', () => {
  const cases: Array<[string, string, string, Record<string, string>?]> = [
    ['GET', '/', 'ListBuckets'],
    ['GET', '/?x-id=ListBuckets', 'ListBuckets'],
    ['GET', '/b', 'ListObjects'],
    ['GET', '/b/', 'ListObjects'],
    ['GET', '/b?list-type=2', 'ListObjectsV2'],
    ['GET', '/b/?list-type=2&prefix=a', 'ListObjectsV2'],
    ['GET', '/b?list-type=1', 'ListObjects'],
    ['GET', '/b?acl', 'GetBucketAcl'],
    ['GET', '/b?acl=', 'GetBucketAcl'],
    ['GET', '/b?location', 'GetBucketLocation'],
    ['GET', '/b?uploads', 'ListMultipartUploads'],
    ['GET', '/b?versions', 'ListObjectVersions'],
    ['GET', '/b?lifecycle', 'GetBucketLifecycleConfiguration'],
    ['PUT', '/b?notification', 'PutBucketNotificationConfiguration'],
    ['GET', '/b/k', 'GetObject'],
    ['GET', '/b/k?x-id=GetObject', 'GetObject'],
    ['GET', '/b/a/b/c/', 'GetObject'],
    ['GET', '/b/k?acl', 'GetObjectAcl'],
    ['GET', '/b/k?tagging', 'GetObjectTagging'],
    ['GET', '/b/k?uploadId=u', 'ListParts'],
    ['GET', '/b/k?partNumber=2', 'GetObject'],
    ['PUT', '/b', 'CreateBucket'],
    ['PUT', '/b/k', 'PutObject'],
    ['PUT', '/b/k?x-id=PutObject', 'PutObject'],
    ['PUT', '/b/k', 'CopyObject', { 'x-amz-copy-source': '/src/key' }],
    ['PUT', '/b/k?partNumber=1&uploadId=u', 'UploadPart'],
    ['PUT', '/b/k?partNumber=1&uploadId=u', 'UploadPartCopy', { 'x-amz-copy-source': '/src/key' }],
    ['POST', '/b/k?uploads', 'CreateMultipartUpload'],
    ['POST', '/b/k?uploadId=u', 'CompleteMultipartUpload'],
    ['POST', '/b/k?restore', 'RestoreObject'],
    ['POST', '/b/k?select&select-type=2', 'SelectObjectContent'],
    ['POST', '/b?delete', 'DeleteObjects'],
    ['DELETE', '/b', 'DeleteBucket'],
    ['DELETE', '/b?tagging', 'DeleteBucketTagging'],
    ['DELETE', '/b/k', 'DeleteObject'],
    ['DELETE', '/b/k?uploadId=u', 'AbortMultipartUpload'],
    ['HEAD', '/b', 'HeadBucket'],
    ['HEAD', '/b/k', 'HeadObject'],
    ['POST', '/WriteGetObjectResponse', 'WriteGetObjectResponse'],
  ];
  for (const [method, target, op, headers] of cases) {
    it(`${method} ${target}${headers ? ' +copy-source' : ''} -> ${op}`, () => assert.equal(resolve(method, target, headers), op));
  }

  it('x-id in the template is optional, and a wrong x-id does not exclude', () => {
    assert.equal(resolve('GET', '/things/1', undefined, synthetic), 'Search');
    assert.equal(resolve('GET', '/things/1?x-id=Other', undefined, synthetic), 'Search');
  });

  it('405 MethodNotAllowed when the path fits but the method does not', () => {
    for (const [m, t] of [['PATCH', '/b'], ['DELETE', '/'], ['POST', '/b'], ['PATCH', '/b/k']]) {
      const e = awsError(() => resolve(m!, t!));
      assert.equal(e.code, 'MethodNotAllowed');
      assert.equal(e.status, 405);
      assert.equal(e.message, 'The specified method is not allowed against this resource.');
    }
  });

  it('a template that fits but lacks a required query member resolves, then fails in parseInput', () => {
    assert.equal(resolve('POST', '/b/k'), 'CompleteMultipartUpload');
    const e = awsError(() => parse('POST', '/b/k'));
    assert.equal(e.code, 'InvalidRequest');
    assert.match(e.message, /uploadId/);
  });

  it('400 InvalidRequest when no template fits the path', () => {
    const e = awsError(() => resolve('GET', '//x'));
    assert.equal(e.code, 'InvalidRequest');
    assert.equal(e.status, 400);
  });
});

describe('parseInput: labels, query, headers', () => {
  it('percent-decodes labels; the greedy key keeps its slashes', () => {
    assert.deepEqual(parse('GET', '/my-bucket/a%20b/c%2Fd/e+f%C3%BC'), { Bucket: 'my-bucket', Key: 'a b/c/d/e+fü' });
  });

  it('bad percent-encoding in the path is InvalidURI', () => {
    assert.equal(awsError(() => parse('GET', '/b/%E0%A4%A')).code, 'InvalidURI');
  });

  it('typed querystring members; template literals and x-id are not members', () => {
    assert.deepEqual(parse('GET', '/b?list-type=2&max-keys=5&fetch-owner=true&prefix=a+b%2Bc&continuation-token=x%3D%3D&x-id=ListObjectsV2'),
      { Bucket: 'b', MaxKeys: 5, FetchOwner: true, Prefix: 'a b+c', ContinuationToken: 'x==' });
    assert.deepEqual(parse('GET', '/b/k?response-expires=Mon%2C%2023%20Nov%202026%2010%3A00%3A00%20GMT&partNumber=3'),
      { Bucket: 'b', Key: 'k', ResponseExpires: new Date('2026-11-23T10:00:00Z'), PartNumber: 3 });
  });

  it('bad integers in query or headers are InvalidArgument', () => {
    const e = awsError(() => parse('GET', '/b?list-type=2&max-keys=abc'));
    assert.equal(e.code, 'InvalidArgument');
    assert.deepEqual(e.fields, { ArgumentName: 'max-keys', ArgumentValue: 'abc' });
    assert.equal(awsError(() => parse('PUT', '/b/k', { headers: { 'content-length': 'x' } })).code, 'InvalidArgument');
  });

  it('query lists repeat the key; a querystring map takes what is left', () => {
    assert.deepEqual(parse('GET', '/things/42?tag=a&tag=b&since=2026-11-23T10:00:00Z&x-id=Search&color=red&size=', {}, synthetic),
      { Id: 42, Tags: ['a', 'b'], Since: new Date('2026-11-23T10:00:00Z'), Rest: { color: 'red', size: '' } });
  });

  it('typed headers: integer, boolean, RFC 822 and ISO timestamps, lists, blobs', () => {
    const input = parse('PUT', '/b/k', {
      headers: {
        'content-length': '11', 'x-amz-server-side-encryption-bucket-key-enabled': 'TRUE', expires: 'Mon, 23 Nov 2026 10:00:00 GMT',
        'x-amz-object-lock-retain-until-date': '2027-01-01T00:00:00.000Z', 'x-amz-server-side-encryption-customer-key': Buffer.from('key').toString('base64'),
      },
    });
    assert.equal(input.ContentLength, 11);
    assert.equal(input.BucketKeyEnabled, true);
    assert.deepEqual(input.Expires, new Date('2026-11-23T10:00:00Z'));
    assert.deepEqual(input.ObjectLockRetainUntilDate, new Date('2027-01-01T00:00:00Z'));
    // The model types the key as a string: the base64 text the header carries.
    assert.equal(input.SSECustomerKey, Buffer.from('key').toString('base64'));
    assert.deepEqual(parse('GET', '/b/k?attributes', { headers: { 'x-amz-object-attributes': 'ETag, ObjectSize,Checksum' } }).ObjectAttributes,
      ['ETag', 'ObjectSize', 'Checksum']);
  });

  it('jsonvalue headers are base64 JSON; RFC 822 timestamp lists keep their commas', () => {
    const input = parse('GET', '/things/1', {
      headers: { 'x-doc': Buffer.from('{"a":[1,2]}').toString('base64'), 'x-stamps': 'Mon, 23 Nov 2026 10:00:00 GMT, Tue, 24 Nov 2026 10:00:00 GMT' },
    }, synthetic);
    assert.deepEqual(input.Doc, { a: [1, 2] });
    assert.deepEqual(input.Stamps, [new Date('2026-11-23T10:00:00Z'), new Date('2026-11-24T10:00:00Z')]);
  });

  it('x-amz-meta-* collect into the prefix map, keys lower-cased without the prefix', () => {
    const input = parse('PUT', '/b/k', { headers: { 'x-amz-meta-color': 'blue', 'x-amz-meta-owner-name': 'Jane', 'x-amz-metadata-directive': 'COPY' } });
    assert.deepEqual(input.Metadata, { color: 'blue', 'owner-name': 'Jane' });
  });

  it('missing required header is InvalidRequest', () => {
    const e = awsError(() => parse('GET', '/b/k?attributes'));
    assert.equal(e.code, 'InvalidRequest');
    assert.match(e.message, /x-amz-object-attributes/);
  });
});

describe('parseInput: payloads', () => {
  it('streaming blob: the Buffer, or the stream when there is one; empty uploads are still uploads', () => {
    assert.deepEqual(parse('PUT', '/b/k', { body: 'data' }).Body, Buffer.from('data'));
    const stream = Readable.from(['x']);
    assert.equal(parse('PUT', '/b/k', { bodyStream: stream }).Body, stream);
    assert.deepEqual(parse('PUT', '/b/k').Body, Buffer.alloc(0));
  });

  it('string payload is text', () => {
    assert.equal(parse('PUT', '/b?policy', { body: '{"Version":"2012-10-17"}' }).Policy, '{"Version":"2012-10-17"}');
  });

  it('structure payload, root named by the member', () => {
    const body = `<CreateBucketConfiguration xmlns="${NS}"><LocationConstraint>eu-west-1</LocationConstraint></CreateBucketConfiguration>`;
    assert.deepEqual(parse('PUT', '/b', { body }), { Bucket: 'b', CreateBucketConfiguration: { LocationConstraint: 'eu-west-1' } });
  });

  it('empty body for an optional payload is absent', () => {
    assert.deepEqual(parse('PUT', '/b'), { Bucket: 'b' });
  });

  it('flattened lists, booleans, entities, untrimmed text', () => {
    const body = `<?xml version="1.0"?>\n<Delete>\n  <Object><Key> a&amp;b&#13;</Key></Object>\n  <Object><Key>c</Key><VersionId>v</VersionId></Object>\n  <Quiet>true</Quiet>\n</Delete>`;
    assert.deepEqual(parse('POST', '/b?delete', { body }).Delete, { Objects: [{ Key: ' a&b\r' }, { Key: 'c', VersionId: 'v' }], Quiet: true });
  });

  it('wrapped lists use the member locationName; a single item is still a list', () => {
    const body = '<Tagging><TagSet><Tag><Key>k</Key><Value></Value></Tag></TagSet></Tagging>';
    assert.deepEqual(parse('PUT', '/b?tagging', { body }).Tagging, { TagSet: [{ Key: 'k', Value: '' }] });
  });

  it('xmlAttribute (xsi:type) and nested wrapped lists', () => {
    const body = `<AccessControlPolicy xmlns="${NS}"><AccessControlList><Grant><Grantee xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" xsi:type="CanonicalUser"><ID>id1</ID></Grantee><Permission>READ</Permission></Grant></AccessControlList><Owner><ID>o</ID></Owner></AccessControlPolicy>`;
    assert.deepEqual(parse('PUT', '/b?acl', { body }).AccessControlPolicy, {
      Grants: [{ Grantee: { Type: 'CanonicalUser', ID: 'id1' }, Permission: 'READ' }], Owner: { ID: 'o' },
    });
  });

  it('ISO timestamps and integers in XML', () => {
    const retention = parse('PUT', '/b/k?retention', { body: '<Retention><Mode>GOVERNANCE</Mode><RetainUntilDate>2027-01-01T00:00:00.250Z</RetainUntilDate></Retention>' });
    assert.deepEqual(retention.Retention, { Mode: 'GOVERNANCE', RetainUntilDate: new Date('2027-01-01T00:00:00.250Z') });
    const lc = parse('PUT', '/b?lifecycle', { body: '<LifecycleConfiguration><Rule><ID>r</ID><Status>Enabled</Status><Filter><Prefix></Prefix></Filter><Expiration><Days>30</Days></Expiration></Rule></LifecycleConfiguration>' });
    assert.deepEqual(lc.LifecycleConfiguration, { Rules: [{ ID: 'r', Status: 'Enabled', Filter: { Prefix: '' }, Expiration: { Days: 30 } }] });
  });

  it('non-payload body members are read from the input root', () => {
    assert.deepEqual(parse('PUT', '/things', { body: '<PutRequest><Name>n</Name><Count>3</Count></PutRequest>' }, synthetic), { Name: 'n', Count: 3 });
  });

  it('malformed XML, wrong root, wrong types, missing required elements: MalformedXML', () => {
    const bad: Array<[string, string]> = [
      ['/b?tagging', '<Tagging><TagSet></Tagging>'],
      ['/b?tagging', 'not xml'],
      ['/b?tagging', '<Tagging/><Tagging/>'],
      ['/b?tagging', '<Other><TagSet/></Other>'],
      ['/b?tagging', '<Tagging></Tagging>'],
      ['/b?tagging', ''],
      ['/b?tagging', '<!DOCTYPE x [<!ENTITY a "b">]><Tagging><TagSet/></Tagging>'],
      ['/b?lifecycle', '<LifecycleConfiguration><Rule><Status>Enabled</Status><Expiration><Days>many</Days></Expiration></Rule></LifecycleConfiguration>'],
    ];
    for (const [target, body] of bad) {
      const e = awsError(() => parse('PUT', target, { body }));
      assert.equal(e.code, 'MalformedXML', body);
      assert.equal(e.status, 400);
      assert.equal(e.message, 'The XML you provided was not well-formed or did not validate against our published schema');
    }
  });
});

describe('serializeOutput', () => {
  it('ListBuckets: root element, namespace, ISO timestamps with milliseconds', () => {
    const res = out('ListBuckets', { Buckets: [{ Name: 'a&b', CreationDate: new Date('2026-11-23T10:00:00Z') }], Owner: { DisplayName: 'me', ID: 'id' } });
    assert.equal(res.status, 200);
    assert.equal(res.headers['Content-Type'], 'application/xml');
    assert.equal(text(res.body), `${DECL}<ListAllMyBucketsResult xmlns="${NS}"><Buckets><Bucket><Name>a&amp;b</Name><CreationDate>2026-11-23T10:00:00.000Z</CreationDate></Bucket></Buckets><Owner><DisplayName>me</DisplayName><ID>id</ID></Owner></ListAllMyBucketsResult>`);
  });

  it('ListObjectsV2: ListBucketResult with flattened Contents and CommonPrefixes', () => {
    const res = out('ListObjectsV2', { Name: 'b', KeyCount: 1, IsTruncated: false, Contents: [{ Key: 'k\r', Size: 3 }], CommonPrefixes: [{ Prefix: 'p/' }, { Prefix: 'q/' }] });
    assert.equal(text(res.body), `${DECL}<ListBucketResult xmlns="${NS}"><IsTruncated>false</IsTruncated><Contents><Key>k&#xD;</Key><Size>3</Size></Contents><Name>b</Name><CommonPrefixes><Prefix>p/</Prefix></CommonPrefixes><CommonPrefixes><Prefix>q/</Prefix></CommonPrefixes><KeyCount>1</KeyCount></ListBucketResult>`);
  });

  it('always sets x-amz-request-id and x-amz-id-2; response code from the model', () => {
    const res = out('DeleteObject', {});
    assert.equal(res.status, 204);
    assert.equal(res.headers['x-amz-request-id'], 'REQ');
    assert.ok(res.headers['x-amz-id-2']);
    assert.equal(text(res.body), '');
    assert.equal(res.headers['Content-Type'], undefined);
  });

  it('header members: RFC 822 timestamps, booleans, numbers, metadata; HEAD has no body', () => {
    const res = out('HeadObject', {
      LastModified: new Date('2026-11-23T10:00:00Z'), ContentLength: 5, DeleteMarker: true, ETag: '"e"', Metadata: { color: 'blue' },
      ObjectLockRetainUntilDate: new Date('2027-01-01T00:00:00Z'),
    });
    assert.equal(res.headers['Last-Modified'], 'Mon, 23 Nov 2026 10:00:00 GMT');
    assert.equal(res.headers['Content-Length'], '5');
    assert.equal(res.headers['x-amz-delete-marker'], 'true');
    assert.equal(res.headers.ETag, '"e"');
    assert.equal(res.headers['x-amz-meta-color'], 'blue');
    assert.equal(res.headers['x-amz-object-lock-retain-until-date'], '2027-01-01T00:00:00.000Z');
    assert.equal(out('HeadObject', { Metadata: { name: 'Jürgen\n' } }).headers['x-amz-meta-name'], `=?UTF-8?B?${Buffer.from('Jürgen\n').toString('base64')}?=`);
    assert.equal(text(res.body), '');
  });

  it('blob payloads pass through: Buffer, string, Readable', () => {
    assert.deepEqual(out('GetObject', { Body: Buffer.from('abc'), ContentType: 'text/plain' }).body, Buffer.from('abc'));
    assert.equal(out('GetObject', { Body: Buffer.from('abc'), ContentType: 'text/plain' }).headers['Content-Type'], 'text/plain');
    const stream = Readable.from(['x']);
    assert.equal(out('GetObject', { Body: stream }).body, stream);
    assert.equal(text(out('GetBucketPolicy', { Policy: '{"a":1}' }).body), '{"a":1}');
  });

  it('structure payload: root named by the member', () => {
    const res = out('GetBucketEncryption', { ServerSideEncryptionConfiguration: { Rules: [{ ApplyServerSideEncryptionByDefault: { SSEAlgorithm: 'AES256' }, BucketKeyEnabled: false }] } });
    assert.equal(text(res.body), `${DECL}<ServerSideEncryptionConfiguration xmlns="${NS}"><Rule><ApplyServerSideEncryptionByDefault><SSEAlgorithm>AES256</SSEAlgorithm></ApplyServerSideEncryptionByDefault><BucketKeyEnabled>false</BucketKeyEnabled></Rule></ServerSideEncryptionConfiguration>`);
  });

  it('xmlAttribute with its namespace prefix (Grantee xsi:type)', () => {
    const res = out('GetBucketAcl', { Owner: { ID: 'o' }, Grants: [{ Grantee: { ID: 'g', Type: 'CanonicalUser' }, Permission: 'FULL_CONTROL' }] });
    assert.equal(text(res.body), `${DECL}<AccessControlPolicy xmlns="${NS}"><Owner><ID>o</ID></Owner><AccessControlList><Grant><Grantee xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" xsi:type="CanonicalUser"><ID>g</ID></Grantee><Permission>FULL_CONTROL</Permission></Grant></AccessControlList></AccessControlPolicy>`);
  });

  it('a lone scalar member named like the root is the root text (GetBucketLocation)', () => {
    assert.equal(text(out('GetBucketLocation', { LocationConstraint: 'eu-west-1' }).body), `${DECL}<LocationConstraint xmlns="${NS}">eu-west-1</LocationConstraint>`);
    assert.equal(text(out('GetBucketLocation', {}).body), `${DECL}<LocationConstraint xmlns="${NS}"></LocationConstraint>`);
  });

  it('statusCode member; flattened maps; {Operation}Result fallback', () => {
    const res = out('Search', { Code: 202, Items: { a: 1.5 }, Names: ['x'] }, synthetic);
    assert.equal(res.status, 202);
    assert.equal(text(res.body), `${DECL}<SearchResult><Item><K>a</K><V>1.5</V></Item><Names><member>x</member></Names></SearchResult>`);
  });
});

describe('serializeError', () => {
  const err = new AwsError('NoSuchBucket', 'The specified bucket does not exist', 404, { fields: { BucketName: 'b<1>' }, headers: { 'x-amz-bucket-region': 'eu-west-1' } });

  it('Error document with fields, RequestId, HostId', () => {
    const res = restXmlCodec.serializeError(s3, err, { requestId: 'REQ' }, s3.operation('ListObjectsV2'));
    assert.equal(res.status, 404);
    assert.equal(res.headers['x-amz-request-id'], 'REQ');
    assert.equal(res.headers['x-amz-bucket-region'], 'eu-west-1');
    assert.equal(res.headers['Content-Type'], 'application/xml');
    assert.equal(text(res.body), `${DECL}<Error><Code>NoSuchBucket</Code><Message>The specified bucket does not exist</Message><BucketName>b&lt;1&gt;</BucketName><RequestId>REQ</RequestId><HostId>${res.headers['x-amz-id-2']}</HostId></Error>`);
  });

  it('HEAD errors have an empty body', () => {
    const res = restXmlCodec.serializeError(s3, err, { requestId: 'REQ' }, s3.operation('HeadBucket'));
    assert.equal(res.status, 404);
    assert.equal(text(res.body), '');
    assert.equal(res.headers['x-amz-request-id'], 'REQ');
  });

  it('works without an operation (routing failed)', () => {
    const res = restXmlCodec.serializeError(s3, new AwsError('MethodNotAllowed', 'm', 405, { fields: { Method: 'PATCH' } }), { requestId: 'R' });
    assert.match(text(res.body), /<Code>MethodNotAllowed<\/Code><Message>m<\/Message><Method>PATCH<\/Method>/);
  });
});
