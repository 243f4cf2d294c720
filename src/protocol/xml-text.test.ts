import { test } from 'node:test';
import assert from 'node:assert/strict';
import { escapeXml, writeXmlText } from './xml-text.js';

test('escapes the five XML specials and CR, leaves other text alone', () => {
  assert.equal(escapeXml(`a&b<c>d"e'f\rg\nh\tü`), 'a&amp;b&lt;c&gt;d&quot;e&apos;f&#xD;g\nh\tü');
  assert.equal(escapeXml('plain'), 'plain');
});

test('writes declaration, attributes, text, nested and repeated elements in order', () => {
  const xml = writeXmlText({
    '?xml': { '@_version': '1.0', '@_encoding': 'UTF-8' },
    Root: { '@_xmlns': 'https://x/"y"', A: 'a<1>', B: [{ C: '1' }, { C: '2' }], E: {}, T: { '@_k': 'v', '#text': 't&t' }, U: undefined },
  });
  assert.equal(xml, '<?xml version="1.0" encoding="UTF-8"?><Root xmlns="https://x/&quot;y&quot;"><A>a&lt;1&gt;</A><B><C>1</C></B><B><C>2</C></B><E></E><T k="v">t&amp;t</T></Root>');
});
