import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { createMemoryStore } from './memory.js';
import { mergePairs, OwnIndex } from './own-index.js';
import { queryBounds } from './range.js';
import { indexDef } from './schema.js';

const def = indexDef('ec2:network-interface', 'instance');
const eni = (instanceId?: string): string => JSON.stringify(instanceId ? { attachment: { instanceId } } : {});

describe('OwnIndex', () => {
  test('follows puts and deletes of the writes it indexes, in (key, id) order', () => {
    const writes = new Map<string, string | null>([['eni-2', eni('i-b')], ['eni-1', eni('i-b')], ['eni-3', eni('i-a')]]);
    const ix = new OwnIndex(def, writes);
    assert.deepEqual(ix.find(queryBounds({})), [['i-a', 'eni-3'], ['i-b', 'eni-1'], ['i-b', 'eni-2']]);
    assert.deepEqual(ix.find(queryBounds({ key: 'i-b' })), [['i-b', 'eni-1'], ['i-b', 'eni-2']]);
    writes.set('eni-1', eni('i-c'));
    ix.touch('eni-1');
    writes.set('eni-2', null);
    ix.touch('eni-2');
    writes.set('eni-4', eni());
    ix.touch('eni-4');
    assert.deepEqual(ix.find(queryBounds({})), [['i-a', 'eni-3'], ['i-c', 'eni-1']]);
    assert.deepEqual(ix.find(queryBounds({ prefix: 'i-c' })), [['i-c', 'eni-1']]);
  });

  test('mergePairs keeps (key, id) order', () => {
    assert.deepEqual(mergePairs([['a', '2'], ['c', '1']], [['a', '1'], ['b', '9'], ['d', '0']]),
      [['a', '1'], ['a', '2'], ['b', '9'], ['c', '1'], ['d', '0']]);
    assert.deepEqual(mergePairs([], [['a', '1']]), [['a', '1']]);
  });
});

describe('memory store findBy inside a transaction', () => {
  const scope = { account: '000000000000', region: 'us-east-1' };
  const kind = 'ec2:network-interface';

  test('sees committed rows and its own writes as they change', async () => {
    const store = createMemoryStore();
    await store.transaction((tx) => {
      tx.put(scope, kind, 'eni-1', { attachment: { instanceId: 'i-1' } });
      tx.put(scope, kind, 'eni-2', { attachment: { instanceId: 'i-2' } });
    });
    await store.transaction((tx) => {
      const ids = (key: string) => tx.findBy(scope, kind, 'instance', { key }).map((h) => h.id);
      assert.deepEqual(ids('i-1'), ['eni-1']);
      tx.put(scope, kind, 'eni-0', { attachment: { instanceId: 'i-1' } });
      assert.deepEqual(ids('i-1'), ['eni-0', 'eni-1']);
      tx.put(scope, kind, 'eni-1', { attachment: { instanceId: 'i-2' } });
      assert.deepEqual(ids('i-1'), ['eni-0']);
      assert.deepEqual(ids('i-2'), ['eni-1', 'eni-2']);
      tx.delete(scope, kind, 'eni-2');
      tx.delete(scope, kind, 'eni-0');
      assert.deepEqual(ids('i-2'), ['eni-1']);
      assert.deepEqual(ids('i-1'), []);
      assert.equal(tx.countBy(scope, kind, 'instance', {}), 1);
      // A clear() of the kind during the transaction drops its writes; the index follows.
      store.clear({ kindPrefix: kind });
      tx.put(scope, kind, 'eni-9', { attachment: { instanceId: 'i-2' } });
      assert.deepEqual(ids('i-2'), ['eni-9']);
    });
  });
});
