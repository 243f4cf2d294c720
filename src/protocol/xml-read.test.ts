import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseXmlDocument, XML_LIMITS, XmlReadError } from './xml-read.js';

const refused = (xml: string, why: RegExp) => assert.throws(() => parseXmlDocument(xml), (e: Error) => e instanceof XmlReadError && why.test(e.message));

test('XML documents: elements, attributes and entity references are bounded before parsing', () => {
  const tags = (n: number) => `<Delete>${'<Object><Key>k</Key></Object>'.repeat(n)}</Delete>`;
  const most = Math.floor((XML_LIMITS.elements - 1) / 2);
  assert.equal(parseXmlDocument(tags(most)).children.length, most);
  const t = performance.now();
  refused(tags(500_000), /more than 60000 elements/);
  refused(`<a ${Array.from({ length: XML_LIMITS.attributes + 1 }, (_, i) => `x${i}="1"`).join(' ')}/>`, /more than 10000 attributes/);
  refused(`<a>${'&amp;'.repeat(XML_LIMITS.entities + 1)}</a>`, /more than 100000 entity references/);
  refused(`<a b="${'&lt;'.repeat(XML_LIMITS.entities + 1)}"/>`, /entity references/);
  assert.ok(performance.now() - t < 1000);
  // Markup inside quoted attribute values, comments and closing tags does not count as elements.
  assert.equal(parseXmlDocument(`<a t="<b>=<c>"><!-- <x> --></a>`).attrs['t'], '<b>=<c>');
});

test('XML documents: DOCTYPE (entity definitions) and deep nesting are refused', () => {
  refused('<!DOCTYPE a [<!ENTITY x "xx">]><a>&x;</a>', /DOCTYPE/);
  refused(`${'<a>'.repeat(10_000)}${'</a>'.repeat(10_000)}`, /nested/i);
});
