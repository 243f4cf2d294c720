/**
 * A small, fixed-seed slice of the codec fuzzing in `npm run fuzz` (test/conformance/fuzz-codec.ts),
 * and every counterexample the fuzzers found, kept as regression cases.
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { AwsError } from '../core/errors.js';
import type { WireRequest } from './codec.js';
import { loadModel } from './models.js';
import { queryCodec, ec2Codec } from './query.js';
import { restXmlCodec } from './rest-xml.js';
import { parseScalar, ScalarError } from './rest-values.js';
import { parseXmlDocument, XmlReadError } from './xml-read.js';
import { exercise, fuzzCodecs, wellFormedError } from '../../test/conformance/fuzz-codec.js';
import { allTargets } from '../../test/conformance/targets.js';

process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';

const form = (body: string): WireRequest => ({
  method: 'POST', path: '/', query: '', host: '127.0.0.1', body: Buffer.from(body, 'latin1'),
  headers: { 'content-type': 'application/x-www-form-urlencoded' },
});

const s3 = loadModel('s3-2006-03-01');
const iam = loadModel('iam-2010-05-08');
const ec2 = loadModel('ec2-2016-11-15');

function thrown(fn: () => unknown): unknown {
  try {
    fn();
  } catch (e) {
    return e;
  }
  return undefined;
}

describe('fuzz regressions', () => {
  it('an error message echoing a NUL (or any character XML 1.0 cannot carry) still renders well-formed XML', () => {
    // Found by "mutated requests": a NUL inserted into a percent-escape of a query body.
    const req = form('Action=ListAccessKeys&Version=2010-05-08&UserName=%\u0000E6%96%87');
    const err = thrown(() => queryCodec.parseInput(req, iam, iam.operation(queryCodec.resolveOperation(req, iam))!));
    assert.ok(err instanceof AwsError && err.code === 'MalformedQueryString', String(err));
    const res = queryCodec.serializeError(iam, err, { requestId: 'r' });
    assert.equal(wellFormedError(res, 'POST'), undefined);
    assert.match(res.body.toString(), /%\uFFFDE6/);
    // EC2 echoes raw values in InvalidParameterValue.
    const bad = form('Action=DescribeRegions&Version=2016-11-15&DryRun=%01%1B%EF%BF%BF');
    const e2 = thrown(() => ec2Codec.parseInput(bad, ec2, ec2.operation('DescribeRegions')!));
    assert.ok(e2 instanceof AwsError && e2.code === 'InvalidParameterValue', String(e2));
    assert.equal(wellFormedError(ec2Codec.serializeError(ec2, e2, { requestId: 'r' }), 'POST'), undefined);
  });

  it('an XML body the validator passes but the parser refuses is MalformedXML, not an internal error', () => {
    // Found by "mutated XML bodies": a mangled declaration, `<?xml ver</a>1.0" ...?>`.
    const xml = '<?xml ver</a>1.0" encoding="UTF-8"?><ReplicationConfiguration xmlns="http://s3.amazonaws.com/doc/2006-03-01/"><Role>r</Role></ReplicationConfiguration>';
    assert.ok(thrown(() => parseXmlDocument(xml)) instanceof XmlReadError);
    const req: WireRequest = {
      method: 'PUT', path: '/bucket', query: 'replication', host: '127.0.0.1', body: Buffer.from(xml),
      headers: { 'content-type': 'application/xml' },
    };
    const op = s3.operation(restXmlCodec.resolveOperation(req, s3))!;
    const err = thrown(() => restXmlCodec.parseInput(req, s3, op));
    assert.ok(err instanceof AwsError && err.code === 'MalformedXML', String(err));
  });

  it('REST integers outside their type are refused, not decoded to out-of-range numbers', () => {
    // Found by "mutated XML bodies": one flipped bit made DefaultRetention.Days -2147483668.
    const body = '<ObjectLockConfiguration xmlns="http://s3.amazonaws.com/doc/2006-03-01/"><ObjectLockEnabled>Enabled</ObjectLockEnabled>'
      + '<Rule><DefaultRetention><Mode>GOVERNANCE</Mode><Days>-2147483668</Days></DefaultRetention></Rule></ObjectLockConfiguration>';
    const req: WireRequest = { method: 'PUT', path: '/bucket', query: 'object-lock', host: '127.0.0.1', body: Buffer.from(body), headers: {} };
    const op = s3.operation(restXmlCodec.resolveOperation(req, s3))!;
    const err = thrown(() => restXmlCodec.parseInput(req, s3, op));
    assert.ok(err instanceof AwsError && err.code === 'MalformedXML', String(err));
    // The same rule for headers and query strings: InvalidArgument.
    const get: WireRequest = { method: 'GET', path: '/bucket/key', query: 'partNumber=99999999999', host: '127.0.0.1', body: Buffer.alloc(0), headers: {} };
    const e2 = thrown(() => restXmlCodec.parseInput(get, s3, s3.operation(restXmlCodec.resolveOperation(get, s3))!));
    assert.ok(e2 instanceof AwsError && e2.code === 'InvalidArgument', String(e2));
    assert.ok(thrown(() => parseScalar({ type: 'long' }, '9007199254740993')) instanceof ScalarError);
    assert.equal(parseScalar({ type: 'long' }, '-9007199254740991'), -9007199254740991);
    assert.equal(parseScalar({ type: 'integer' }, ' 2147483647 '), 2147483647);
  });

  it('the fuzz oracle accepts what the codec now does with the first of them', () => {
    const target = allTargets().find((t) => t.service === 'iam')!;
    assert.equal(exercise(target, form('Action=ListAccessKeys&Version=2010-05-08&UserName=%\u0000E6')), undefined);
  });
});

describe('codec fuzzing, fixed-seed slice', () => {
  it('every property holds for 1000 runs', { timeout: 120_000 }, async () => {
    const props = await fuzzCodecs({ seed: 20261123, runs: 1000, timeLimitMs: 20_000, share: 0.03 });
    assert.ok(props.length >= 8);
    for (const p of props) assert.equal(p.failure, undefined, `${p.property}: ${p.failure?.error}\n${p.failure?.counterexample}`);
  });
});
