import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { XMLParser } from 'fast-xml-parser';
import { ServiceModel } from './models.js';
import type { RawModel, Shape } from './model-types.js';
import { formatTimestamp, renderXml, toXmlTree, writeXmlValue, xmlMemberName } from './xml.js';

const model = new ServiceModel({
  metadata: { apiVersion: '2020-01-01', endpointPrefix: 'demo', protocol: 'query', serviceId: 'Demo' },
  operations: {},
  shapes: {
    Out: {
      type: 'structure',
      members: {
        Zed: { shape: 'Str' },
        Alpha: { shape: 'Str', locationName: 'alphaName' },
        Count: { type: 'integer' },
        Ratio: { type: 'double' },
        On: { type: 'boolean' },
        Off: { type: 'boolean' },
        At: { type: 'timestamp' },
        AtEpoch: { type: 'timestamp', timestampFormat: 'unixTimestamp' },
        AtHttp: { type: 'timestamp', timestampFormat: 'rfc822' },
        Data: { type: 'blob' },
        Text: { type: 'blob' },
        Items: { type: 'list', member: { shape: 'Str' } },
        Named: { type: 'list', member: { shape: 'Str', locationName: 'Thing' } },
        Empty: { type: 'list', member: { shape: 'Str' } },
        Flat: { type: 'list', flattened: true, member: { shape: 'Str' } },
        FlatNamed: { type: 'list', flattened: true, member: { shape: 'Str', locationName: 'Entry' } },
        Attrs: { type: 'map', key: { shape: 'Str' }, value: { shape: 'Str' } },
        NamedMap: { type: 'map', key: { shape: 'Str', locationName: 'Name' }, value: { shape: 'Inner', locationName: 'Value' } },
        FlatMap: { type: 'map', flattened: true, key: { shape: 'Str' }, value: { type: 'integer' } },
        Inner: { shape: 'Inner' },
      },
    },
    Inner: { type: 'structure', members: { Id: { shape: 'Str' }, Kind: { shape: 'Str', xmlAttribute: true, locationName: 'kind' } } },
    Str: { type: 'string' },
    Grant: {
      type: 'structure',
      xmlNamespace: { uri: 'http://www.w3.org/2001/XMLSchema-instance', prefix: 'xsi' },
      members: { Type: { shape: 'Str', xmlAttribute: true, locationName: 'xsi:type' }, ID: { shape: 'Str' } },
    },
  },
} as RawModel);

const out: Shape = { shape: 'Out' };
const parse = (xml: string) => new XMLParser({ ignoreAttributes: false, parseTagValue: false, trimValues: false, htmlEntities: true }).parse(xml);

describe('xml writer', () => {
  it('writes members in model order, by locationName, omitting absent ones', () => {
    const xml = renderXml('R', toXmlTree(model, out, { Alpha: 'a', Zed: 'z', Count: 0, Off: undefined, On: null, Unknown: 'x' }));
    assert.equal(xml, '<R><Zed>z</Zed><alphaName>a</alphaName><Count>0</Count></R>');
  });

  it('formats numbers, booleans, timestamps and blobs', () => {
    const at = new Date('2026-11-23T10:00:00.000Z');
    const xml = renderXml('R', toXmlTree(model, out, {
      Ratio: 1.5, On: true, Off: false, At: at, AtEpoch: '2026-11-23T10:00:00.500Z', AtHttp: at.getTime() / 1000,
      Data: Buffer.from([0, 255]), Text: 'hi',
    }));
    assert.equal(xml,
      '<R><Ratio>1.5</Ratio><On>true</On><Off>false</Off><At>2026-11-23T10:00:00.000Z</At><AtEpoch>1795428000.5</AtEpoch>' +
      '<AtHttp>Mon, 23 Nov 2026 10:00:00 GMT</AtHttp><Data>AP8=</Data><Text>aGk=</Text></R>');
    assert.equal(formatTimestamp('2026-11-23T10:00:00Z'), '2026-11-23T10:00:00.000Z');
    assert.throws(() => formatTimestamp('not a date'), TypeError);
  });

  it('wraps lists in <member> (or the member locationName) and flattens flattened ones', () => {
    const xml = renderXml('R', toXmlTree(model, out, { Items: ['a', 'b'], Named: ['t'], Empty: [], Flat: ['x', 'y'], FlatNamed: ['e'] }));
    assert.equal(xml,
      '<R><Items><member>a</member><member>b</member></Items><Named><Thing>t</Thing></Named><Empty></Empty>' +
      '<Flat>x</Flat><Flat>y</Flat><Entry>e</Entry></R>');
  });

  it('writes maps as entry/key/value, honouring names and flattening', () => {
    const xml = renderXml('R', toXmlTree(model, out, { Attrs: { a: '1' }, NamedMap: { k: { Id: 'i' } }, FlatMap: { x: 3, y: 4 } }));
    assert.equal(xml,
      '<R><Attrs><entry><key>a</key><value>1</value></entry></Attrs>' +
      '<NamedMap><entry><Name>k</Name><Value><Id>i</Id></Value></entry></NamedMap>' +
      '<FlatMap><key>x</key><value>3</value></FlatMap><FlatMap><key>y</key><value>4</value></FlatMap></R>');
  });

  it('uses <item> and ignores flattening in the EC2 style', () => {
    const xml = renderXml('R', toXmlTree(model, out, { Items: ['a'], Named: ['t'], Flat: ['x'] }, { ec2: true }));
    assert.equal(xml, '<R><Items><item>a</item></Items><Named><Thing>t</Thing></Named><Flat><item>x</item></Flat></R>');
    assert.equal(xmlMemberName(model, 'FlatNamed', model.resolve(out).members!.FlatNamed!), 'Entry');
    assert.equal(xmlMemberName(model, 'FlatNamed', model.resolve(out).members!.FlatNamed!, { ec2: true }), 'FlatNamed');
  });

  it('writes xmlAttribute members and xmlNamespace declarations as attributes', () => {
    const xml = writeXmlValue(model, { shape: 'Grant' }, { ID: 'x', Type: 'CanonicalUser' }, 'Grantee');
    assert.equal(xml, '<Grantee xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" xsi:type="CanonicalUser"><ID>x</ID></Grantee>');
    assert.equal(renderXml('R', toXmlTree(model, out, { Inner: { Id: '1', Kind: 'true' } })), '<R><Inner kind="true"><Id>1</Id></Inner></R>');
  });

  it('escapes markup, quotes and carriage returns so any XML parser gets the text back', () => {
    const nasty = `<a href="x">&amp; 'q'</a>\r\n]]>\u00e9\u{1F600}`;
    const xml = renderXml('R', toXmlTree(model, out, { Zed: nasty, Attrs: { [nasty]: nasty } }), { namespace: 'urn:x"y', declaration: true });
    assert.ok(!xml.includes('\r'));
    const doc = parse(xml);
    assert.equal(doc.R['@_xmlns'], 'urn:x"y');
    assert.equal(doc.R.Zed, nasty);
    assert.equal(doc.R.Attrs.entry.key, nasty);
    assert.equal(doc.R.Attrs.entry.value, nasty);
  });

  it('writes the declaration and root namespace when asked', () => {
    assert.equal(renderXml('R', { A: '1' }, { namespace: 'urn:n', declaration: true }),
      '<?xml version="1.0" encoding="UTF-8"?><R xmlns="urn:n"><A>1</A></R>');
    assert.equal(renderXml('R', 'text', { namespace: 'urn:n' }), '<R xmlns="urn:n">text</R>');
    assert.equal(renderXml('R', {}), '<R></R>');
  });

  it('refuses values of the wrong kind instead of writing nonsense', () => {
    assert.throws(() => toXmlTree(model, out, { Items: 'a' }), TypeError);
    assert.throws(() => toXmlTree(model, out, 'x'), TypeError);
  });
});
