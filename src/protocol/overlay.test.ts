import { strict as assert } from 'node:assert';
import { mkdtempSync, mkdirSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { gzipSync } from 'node:zlib';
import type { RawModel } from './model-types.js';
import { loadModel, readOverlay, readRawModel } from './models.js';
import { applyOverlay, mergePatch, staleFixes, type Overlay } from './overlay.js';

const raw = (): RawModel => ({
  metadata: { apiVersion: '2020-01-01', endpointPrefix: 'demo', protocol: 'ec2', serviceId: 'Demo', uid: 'demo-2020-01-01' },
  operations: { Describe: { name: 'Describe', input: { shape: 'In' }, output: { shape: 'Out' } } },
  shapes: {
    In: { type: 'structure', members: {} },
    Out: { type: 'structure', members: { Items: { shape: 'ItemList', locationName: 'itemSet' } } },
    ItemList: { type: 'list', member: { shape: 'Item' }, locationName: 'item' },
    Item: { type: 'string' },
  },
});

describe('overlay: JSON Merge Patch (RFC 7396) over a raw model', () => {
  it('merges objects, replaces scalars and arrays, deletes on null, never mutates', () => {
    const target = { a: 1, b: { c: 2, d: 3 }, e: [1, 2] };
    const out = mergePatch(target, { a: 9, b: { c: null, x: 'y' }, e: [3] });
    assert.deepEqual(out, { a: 9, b: { d: 3, x: 'y' }, e: [3] });
    assert.deepEqual(target, { a: 1, b: { c: 2, d: 3 }, e: [1, 2] });
  });

  it('applies fixes in order and refuses an overlay written for another model', () => {
    const overlay: Overlay = {
      model: 'demo-2020-01-01',
      fixes: [
        { why: 'the list shape carries the member name', patch: { shapes: { ItemList: { locationName: null, member: { locationName: 'item' } } } } },
        { why: 'a second fix sees the first', patch: { shapes: { ItemList: { member: { queryName: 'Item' } } } } },
      ],
    };
    const fixed = applyOverlay(raw(), overlay, 'demo-2020-01-01');
    assert.deepEqual(fixed.shapes.ItemList, { type: 'list', member: { shape: 'Item', locationName: 'item', queryName: 'Item' } });
    assert.throws(() => applyOverlay(raw(), overlay, 'other-2020-01-01'), /overlay for demo-2020-01-01 applied to model other-2020-01-01/);
  });

  it('reports fixes that upstream made redundant or that name shapes the model lacks', () => {
    const overlay: Overlay = {
      model: 'demo-2020-01-01',
      fixes: [
        { why: 'already true upstream', patch: { shapes: { ItemList: { locationName: 'item' } } } },
        { why: 'renamed upstream', patch: { shapes: { Gone: { type: 'string' } } } },
        { why: 'still needed', patch: { shapes: { Item: { max: 5 } } } },
      ],
    };
    const stale = staleFixes(raw(), overlay).map((s) => `${s.fix.why}: ${s.reason}`);
    assert.deepEqual(stale, ['already true upstream: the patch changes nothing', 'renamed upstream: shapes Gone not in the model']);
  });

  it('loadModel reads .json or .json.gz and applies models/overlays/ID.json', () => {
    const dir = mkdtempSync(join(tmpdir(), 'cloudlet-models-'));
    try {
      mkdirSync(join(dir, 'overlays'));
      writeFileSync(join(dir, 'demo-2020-01-01.json.gz'), gzipSync(JSON.stringify(raw())));
      assert.equal(loadModel('demo-2020-01-01', dir).resolve({ shape: 'Item' }).max, undefined);
      writeFileSync(join(dir, 'overlays', 'demo-2020-01-01.json'), JSON.stringify({
        model: 'demo-2020-01-01', fixes: [{ why: 'test', patch: { shapes: { Item: { max: 5 } } } }],
      }));
      assert.equal(loadModel('demo-2020-01-01', dir).resolve({ shape: 'Item' }).max, 5);
      assert.equal(readRawModel('demo-2020-01-01', dir).shapes.Item!.max, undefined, 'the vendored file itself is untouched');
      assert.throws(() => loadModel('../etc/passwd-2020-01-01', dir), /bad model id/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('every overlay in models/overlays/ still changes its model', () => {
    const dir = join(import.meta.dirname, '..', '..', 'models', 'overlays');
    for (const file of readdirSync(dir).filter((f) => f.endsWith('.json'))) {
      const uid = file.slice(0, -'.json'.length);
      const overlay = readOverlay(uid)!;
      assert.equal(overlay.model, uid, file);
      assert.deepEqual(staleFixes(readRawModel(uid), overlay), [], `${file}: drop the fixes upstream has made redundant`);
    }
  });
});
