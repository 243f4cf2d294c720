import { test } from 'node:test';
import assert from 'node:assert/strict';
import { AwsError } from '../core/errors.js';
import { parseXmlDocument, XML_LIMITS, XmlReadError } from './xml-read.js';

const refused = (xml: string, why: RegExp) => assert.throws(() => parseXmlDocument(xml), (e: Error) => e instanceof XmlReadError && why.test(e.message));

test('XML documents: elements, attributes and entity references are bounded before parsing', () => {
  const tags = (n: number) => `<Delete>${'<Object><Key>k</Key></Object>'.repeat(n)}</Delete>`;
  const most = Math.floor((XML_LIMITS.elements - 1) / 2);
  assert.equal(parseXmlDocument(tags(most)).children.length, most);
  const t = performance.now();
  refused(`<a>${'<b/>'.repeat(XML_LIMITS.elements)}</a>`, /more than 60000 elements/);
  refused(`<a ${Array.from({ length: XML_LIMITS.attributes + 1 }, (_, i) => `x${i}="1"`).join(' ')}/>`, /more than 10000 attributes/);
  refused(`<a>${'&amp;'.repeat(XML_LIMITS.entities + 1)}</a>`, /more than 100000 entity references/);
  refused(`<a b="${'&lt;'.repeat(XML_LIMITS.entities + 1)}"/>`, /entity references/);
  assert.ok(performance.now() - t < 1000);
  // Markup inside quoted attribute values, comments and closing tags does not count as elements.
  assert.equal(parseXmlDocument(`<a t="<b>=<c>"><!-- <x> --></a>`).attrs['t'], '<b>=<c>');
});

test('XML documents longer than 2 MiB: S3\'s MaxMessageLengthExceeded, before anything is parsed', () => {
  assert.equal(parseXmlDocument(`<a>${'x'.repeat(XML_LIMITS.chars - 7)}</a>`).text.length, XML_LIMITS.chars - 7);
  const t = performance.now();
  assert.throws(() => parseXmlDocument(`<a>${'x'.repeat(12_000_000)}</a>`),
    (e: AwsError) => e instanceof AwsError && e.code === 'MaxMessageLengthExceeded' && e.message === 'Your request was too big.' && e.status === 400);
  assert.ok(performance.now() - t < 100);
});

test('XML documents: DOCTYPE (entity definitions) and deep nesting are refused', () => {
  refused('<!DOCTYPE a [<!ENTITY x "xx">]><a>&x;</a>', /DOCTYPE/);
  refused(`${'<a>'.repeat(10_000)}${'</a>'.repeat(10_000)}`, /nested/i);
});
