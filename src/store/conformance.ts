import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { SCHEMA_VERSION } from './schema.js';
import { GLOBAL_ACCOUNT, type Scope, type Store, type Tx } from './types.js';

const A: Scope = { account: '111111111111', region: 'us-east-1' };
const A2: Scope = { account: '111111111111', region: 'eu-west-1' };
const B: Scope = { account: '222222222222', region: 'us-east-1' };
const IAM: Scope = { account: '111111111111', region: '' };
const G: Scope = { account: GLOBAL_ACCOUNT, region: '' };

/** The order SQLite's BINARY collation gives UTF-8 text, computed independently. */
const byUtf8 = (a: string, b: string): number => Buffer.compare(Buffer.from(a), Buffer.from(b));

const UNICODE_IDS = [
  'a', 'b', 'B', 'a/b', 'a/c', 'a0', 'ab', 'é', '中文', '\uE000', '\uFFFD', '\uFFFF',
  '\u{1F600}', '\u{10FFFF}', 'a/\u{1F600}', 'a/\uFFFF', 'a/\u{10FFFF}z', 'a\u0000b', ' ', '~',
];

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

/**
 * Registers one describe() block of tests every Store implementation must pass.
 * `make` is called once per test and must return an empty, open store.
 */
export function runStoreConformance(name: string, make: () => Store | Promise<Store>): void {
  const withStore = (title: string, body: (store: Store) => Promise<void> | void): void => {
    test(title, async () => {
      const store = await make();
      try {
        await body(store);
      } finally {
        store.close();
      }
    });
  };
  const seed = (store: Store, scope: Scope, kind: string, ids: string[]): Promise<void> =>
    store.transaction((tx) => { for (const id of ids) tx.put(scope, kind, id, { id }); });
  const ids = (tx: Tx, scope: Scope, kind: string, opts?: Parameters<Tx['list']>[2]): string[] =>
    tx.list(scope, kind, opts).map((r) => r.id);

  describe(`store conformance: ${name}`, () => {
    withStore('get/put/delete/count and the transaction result', async (store) => {
      const out = await store.transaction((tx) => {
        assert.equal(tx.get(A, 'bucket', 'x'), undefined);
        tx.put(A, 'bucket', 'x', { n: 1 });
        tx.put(A, 'bucket', 'x', { n: 2 });
        tx.put(A, 'bucket', 'y', 'plain');
        return 'done';
      });
      assert.equal(out, 'done');
      await store.transaction(async (tx) => {
        await sleep(1);
        assert.deepEqual(tx.get(A, 'bucket', 'x'), { n: 2 });
        assert.equal(tx.count(A, 'bucket'), 2);
        assert.equal(tx.delete(A, 'bucket', 'x'), true);
        assert.equal(tx.delete(A, 'bucket', 'x'), false);
        assert.equal(tx.delete(A, 'bucket', 'never'), false);
        assert.equal(tx.get(A, 'bucket', 'x'), undefined);
      });
      await store.transaction((tx) => {
        assert.equal(tx.count(A, 'bucket'), 1);
        assert.equal(tx.get(A, 'bucket', 'y'), 'plain');
      });
    });

    withStore('JSON round trip of nested values; reads return copies', async (store) => {
      const value = {
        s: 'üñí©ødé \u{1F600} "quoted" \\ \n', n: -1.5e-7, big: 2 ** 53 - 1, t: true, f: false, z: null,
        arr: [1, 'two', [3, [4, { five: 5 }]], null, {}],
        deep: { a: { b: { c: { d: { e: ['f'] } } } } },
        empty: '', zero: 0,
      };
      await store.transaction((tx) => {
        tx.put(A, 'k', 'v', value);
        tx.put(A, 'k', 'num', 42);
        tx.put(A, 'k', 'nul', null);
        tx.put(A, 'k', 'date', { when: new Date(0), skip: undefined });
      });
      await store.transaction((tx) => {
        const got = tx.get<typeof value>(A, 'k', 'v')!;
        assert.deepEqual(got, value);
        got.deep.a.b.c.d.e.push('mutated');
        assert.deepEqual(tx.get(A, 'k', 'v'), value);
        assert.equal(tx.get(A, 'k', 'num'), 42);
        assert.equal(tx.get(A, 'k', 'nul'), null);
        assert.deepEqual(tx.get(A, 'k', 'date'), { when: '1970-01-01T00:00:00.000Z' });
        assert.throws(() => tx.put(A, 'k', 'u', undefined), TypeError);
      });
    });

    withStore('a transaction that throws is rolled back and its error rethrown', async (store) => {
      await seed(store, A, 'k', ['keep', 'gone']);
      const boom = new Error('boom');
      await assert.rejects(store.transaction(async (tx) => {
        tx.put(A, 'k', 'new', 1);
        tx.put(A, 'k', 'keep', 'changed');
        tx.delete(A, 'k', 'gone');
        tx.put(B, 'other', 'x', 1);
        await sleep(1);
        throw boom;
      }), (err) => err === boom);
      await assert.rejects(store.transaction((tx) => {
        tx.put(A, 'k', 'sync', 1);
        throw boom;
      }), (err) => err === boom);
      await store.transaction((tx) => {
        assert.deepEqual(ids(tx, A, 'k'), ['gone', 'keep']);
        assert.deepEqual(tx.get(A, 'k', 'keep'), { id: 'keep' });
        assert.deepEqual(tx.scopes(), [{ ...A, kind: 'k' }]);
      });
    });

    withStore('reads inside a transaction see its own writes', async (store) => {
      await seed(store, A, 'k', ['a', 'c', 'e']);
      await store.transaction((tx) => {
        tx.put(A, 'k', 'b', 'new');
        tx.put(A, 'k', 'c', 'changed');
        tx.delete(A, 'k', 'e');
        tx.put(A, 'fresh', 'only', 1);
        assert.equal(tx.get(A, 'k', 'b'), 'new');
        assert.equal(tx.get(A, 'k', 'e'), undefined);
        assert.deepEqual(tx.list(A, 'k').map((r) => [r.id, r.value]), [['a', { id: 'a' }], ['b', 'new'], ['c', 'changed']]);
        assert.deepEqual(ids(tx, A, 'k', { after: 'a', limit: 1 }), ['b']);
        assert.equal(tx.count(A, 'k'), 3);
        assert.equal(tx.count(A, 'k', { prefix: 'e' }), 0);
        tx.delete(A, 'k', 'a');
        tx.delete(A, 'k', 'b');
        tx.delete(A, 'k', 'c');
        assert.deepEqual(tx.scopes(), [{ ...A, kind: 'fresh' }]);
      });
    });

    withStore('concurrent transactions are serialised (no lost updates, FIFO)', async (store) => {
      await store.transaction((tx) => tx.put(A, 'ctr', 'n', 0));
      const order: number[] = [];
      let inside = 0;
      await Promise.all(Array.from({ length: 40 }, (_, i) => store.transaction(async (tx) => {
        inside++;
        assert.equal(inside, 1, 'two transactions ran at once');
        const n = tx.get<number>(A, 'ctr', 'n')!;
        await sleep(i % 3);
        await Promise.resolve();
        tx.put(A, 'ctr', 'n', n + 1);
        order.push(i);
        inside--;
        if (i % 7 === 3) throw new Error('rolled back');
      }).catch(() => undefined)));
      assert.deepEqual(order, Array.from({ length: 40 }, (_, i) => i));
      const failed = order.filter((i) => i % 7 === 3).length;
      assert.equal(await store.transaction((tx) => tx.get(A, 'ctr', 'n')), 40 - failed);
    });

    withStore('a finished transaction cannot be used; a closed store refuses work', async (store) => {
      let leaked: Tx | undefined;
      await store.transaction((tx) => { leaked = tx; });
      assert.throws(() => leaked!.get(A, 'k', 'x'));
      assert.throws(() => leaked!.put(A, 'k', 'x', 1));
      assert.throws(() => leaked!.list(A, 'k'));
      store.close();
      await assert.rejects(store.transaction(() => 1));
    });

    withStore('closing under a writing transaction makes it reject', async (store) => {
      const pending = store.transaction(async (tx) => {
        tx.put(A, 'k', 'x', 1);
        await sleep(5);
      });
      const queued = store.transaction(() => 'never runs');
      store.close();
      await assert.rejects(pending, /closed/);
      await assert.rejects(queued, /closed/);
    });

    withStore('list orders unicode ids in binary (UTF-8) order', async (store) => {
      await seed(store, A, 'k', [...UNICODE_IDS].reverse());
      const expected = [...UNICODE_IDS].sort(byUtf8);
      await store.transaction((tx) => {
        assert.deepEqual(ids(tx, A, 'k'), expected);
        assert.equal(tx.count(A, 'k'), UNICODE_IDS.length);
      });
    });

    withStore('prefix listing, including astral and U+FFFF continuations', async (store) => {
      await seed(store, A, 'k', UNICODE_IDS);
      const check = (tx: Tx, prefix: string): void => {
        const want = UNICODE_IDS.filter((id) => id.startsWith(prefix)).sort(byUtf8);
        assert.deepEqual(ids(tx, A, 'k', { prefix }), want, `prefix ${JSON.stringify(prefix)}`);
        assert.equal(tx.count(A, 'k', { prefix }), want.length, `count prefix ${JSON.stringify(prefix)}`);
      };
      await store.transaction((tx) => {
        for (const p of ['', 'a', 'a/', 'a/\u{10FFFF}', '\u{10FFFF}', '\uFFFF', '\uE000', 'é', 'z', 'a\u0000', '中']) check(tx, p);
        tx.put(A, 'k', 'a/\u{10FFFF}\u{10FFFF}', 1);
        tx.delete(A, 'k', 'a/c');
        assert.deepEqual(ids(tx, A, 'k', { prefix: 'a/' }), ['a/b', 'a/\uFFFF', 'a/\u{1F600}', 'a/\u{10FFFF}z', 'a/\u{10FFFF}\u{10FFFF}']);
      });
    });

    withStore('pagination with after + limit', async (store) => {
      const all = Array.from({ length: 57 }, (_, i) => `obj/${String(i).padStart(3, '0')}`);
      await seed(store, A, 'k', [...all, 'obi', 'obk', 'other']);
      await store.transaction((tx) => {
        for (const limit of [1, 10, 57, 100]) {
          const seen: string[] = [];
          let after: string | undefined;
          for (;;) {
            const page = ids(tx, A, 'k', { prefix: 'obj/', after, limit });
            assert.ok(page.length <= limit);
            seen.push(...page);
            if (page.length < limit) break;
            after = page[page.length - 1];
          }
          assert.deepEqual(seen, all);
        }
        assert.deepEqual(ids(tx, A, 'k', { limit: 0 }), []);
        assert.deepEqual(ids(tx, A, 'k', { prefix: 'obj/', after: 'a' , limit: 2 }), ['obj/000', 'obj/001']);
        assert.deepEqual(ids(tx, A, 'k', { prefix: 'obj/', after: 'obj/' , limit: 1 }), ['obj/000']);
        assert.deepEqual(ids(tx, A, 'k', { prefix: 'obj/', after: 'obj/056' }), []);
        assert.deepEqual(ids(tx, A, 'k', { prefix: 'obj/', after: 'p' }), []);
        assert.deepEqual(ids(tx, A, 'k', { after: 'obj/056' }), ['obk', 'other']);
        assert.deepEqual(ids(tx, A, 'k', { after: 'obj/0555' }), ['obj/056', 'obk', 'other']);
        assert.throws(() => tx.list(A, 'k', { limit: -1 }), RangeError);
      });
    });

    withStore('range reads with inclusive and exclusive bounds, also over own writes', async (store) => {
      await seed(store, A, 'k', UNICODE_IDS);
      const sorted = [...UNICODE_IDS].sort(byUtf8);
      const cmp = (a: string, b: string): number => byUtf8(a, b);
      const cases: Array<Parameters<Tx['list']>[2]> = [
        { gt: 'a' }, { gte: 'a' }, { lt: 'b' }, { lte: 'b' }, { gte: 'a', lt: 'a0' }, { gt: 'a', lte: 'a0' },
        { gte: 'a', lte: 'a' }, { gt: 'a', lt: 'a' }, { gte: 'b', lte: 'a' }, { prefix: 'a/', gt: 'a/b' },
        { prefix: 'a/', lte: 'a/c' }, { after: 'a/b', gte: 'a/b' }, { gt: '\uFFFF' }, { lt: '\u{1F600}' },
        { gte: '\uE000', lt: '\u{10FFFF}' },
      ];
      const expect = (list: string[], o: NonNullable<Parameters<Tx['list']>[2]>): string[] => list.filter((id) =>
        (o.prefix === undefined || id.startsWith(o.prefix)) &&
        (o.after === undefined || cmp(id, o.after) > 0) && (o.gt === undefined || cmp(id, o.gt) > 0) &&
        (o.gte === undefined || cmp(id, o.gte) >= 0) && (o.lt === undefined || cmp(id, o.lt) < 0) &&
        (o.lte === undefined || cmp(id, o.lte) <= 0));
      await store.transaction((tx) => {
        for (const o of cases) {
          assert.deepEqual(ids(tx, A, 'k', o), expect(sorted, o!), JSON.stringify(o));
          assert.equal(tx.count(A, 'k', o), expect(sorted, o!).length, `count ${JSON.stringify(o)}`);
        }
        tx.put(A, 'k', 'a1', 1);
        tx.delete(A, 'k', 'b');
        const mine = [...sorted.filter((x) => x !== 'b'), 'a1'].sort(byUtf8);
        for (const o of cases) {
          assert.deepEqual(ids(tx, A, 'k', o), expect(mine, o!), `own writes ${JSON.stringify(o)}`);
          assert.equal(tx.count(A, 'k', o), expect(mine, o!).length, `own count ${JSON.stringify(o)}`);
        }
        assert.deepEqual(ids(tx, A, 'k', { gte: 'a', limit: 2 }), ['a', 'a\u0000b']);
      });
    });

    withStore('secondary indexes: exact, prefix and range lookups, updates, deletes, rollback', async (store) => {
      // keysBy must list exactly what findBy finds, in the same order, for every query below.
      const hits = (tx: Tx, s: Scope, kind: string, index: string, q: Parameters<Tx['findBy']>[3]): string[] => {
        const found = tx.findBy(s, kind, index, q).map((h) => `${h.key}|${h.id}`);
        assert.deepEqual(tx.keysBy(s, kind, index, q).map((h) => `${h.key}|${h.id}`), found);
        return found;
      };
      await store.transaction((tx) => {
        for (let i = 0; i < 30; i++) tx.put(A, 'ec2:subnet', `subnet-${String(i).padStart(2, '0')}`, { vpcId: `vpc-${i % 3}` });
        tx.put(B, 'ec2:subnet', 'subnet-b', { vpcId: 'vpc-0' });
        tx.put(A, 'ec2:subnet', 'subnet-novpc', { other: 1 });
        tx.put(A, 'ec2:route-table', 'rtb-1', { vpcId: 'vpc-0', associations: [{ subnetId: 'subnet-01' }, { subnetId: 'subnet-02' }, { gatewayId: 'igw-1' }, { subnetId: 'subnet-01' }] });
        tx.put(A, 'ec2:tags', 'vpc-0', { type: 'vpc', tags: [{ Key: 'Name', Value: 'web' }, { Key: 'env', Value: 'prod' }] });
        tx.put(A, 'ec2:tags', 'vpc-1', { type: 'vpc', tags: [{ Key: 'Name', Value: 'db' }] });
        tx.put(A, 'ec2:tags', 'subnet-00', { type: 'subnet', tags: [{ Key: 'Name', Value: 'web' }] });
        // Inside the writing transaction, the index already answers.
        assert.equal(tx.countBy(A, 'ec2:subnet', 'vpc', { key: 'vpc-1' }), 10);
      });
      await store.transaction((tx) => {
        assert.equal(tx.countBy(A, 'ec2:subnet', 'vpc', { key: 'vpc-0' }), 10);
        assert.equal(tx.countBy(B, 'ec2:subnet', 'vpc', { key: 'vpc-0' }), 1);
        assert.equal(tx.countBy(A, 'ec2:subnet', 'vpc', { key: 'vpc-9' }), 0);
        const v1 = tx.findBy<{ vpcId: string }>(A, 'ec2:subnet', 'vpc', { key: 'vpc-1', limit: 3 });
        assert.deepEqual(v1.map((h) => h.id), ['subnet-01', 'subnet-04', 'subnet-07']);
        assert.deepEqual(v1[0]!.value, { vpcId: 'vpc-1' });
        assert.equal(tx.countBy(A, 'ec2:subnet', 'vpc', { prefix: 'vpc-' }), 30);
        assert.equal(tx.countBy(A, 'ec2:subnet', 'vpc', { gt: 'vpc-0', lte: 'vpc-2' }), 20);
        assert.deepEqual(hits(tx, A, 'ec2:subnet', 'vpc', { gte: 'vpc-2', limit: 2 }), ['vpc-2|subnet-02', 'vpc-2|subnet-05']);
        assert.deepEqual(hits(tx, A, 'ec2:route-table', 'subnet', {}), ['subnet-01|rtb-1', 'subnet-02|rtb-1']);
        assert.deepEqual(hits(tx, A, 'ec2:route-table', 'gateway', {}), ['igw-1|rtb-1']);
        assert.deepEqual(hits(tx, A, 'ec2:tags', 'tag', { key: 'Name\u0000web' }), ['Name\u0000web|subnet-00', 'Name\u0000web|vpc-0']);
        assert.deepEqual(tx.findBy(A, 'ec2:tags', 'tag', { prefix: 'Name\u0000' }).map((h) => h.id), ['vpc-1', 'subnet-00', 'vpc-0']);
        assert.deepEqual(tx.findBy(A, 'ec2:tags', 'type', { key: 'vpc' }).map((h) => h.id), ['vpc-0', 'vpc-1']);
        assert.throws(() => tx.findBy(A, 'ec2:subnet', 'nope', {}), /no index/);
        assert.throws(() => tx.findBy(A, 'k', 'vpc', {}), /no index/);
        // Own writes: a moved, a deleted and a new row.
        tx.put(A, 'ec2:subnet', 'subnet-00', { vpcId: 'vpc-9' });
        tx.delete(A, 'ec2:subnet', 'subnet-03');
        tx.put(A, 'ec2:subnet', 'subnet-new', { vpcId: 'vpc-0' });
        assert.deepEqual(tx.findBy(A, 'ec2:subnet', 'vpc', { key: 'vpc-0' }).map((h) => h.id),
          ['subnet-06', 'subnet-09', 'subnet-12', 'subnet-15', 'subnet-18', 'subnet-21', 'subnet-24', 'subnet-27', 'subnet-new']);
        assert.deepEqual(hits(tx, A, 'ec2:subnet', 'vpc', { key: 'vpc-9' }), ['vpc-9|subnet-00']);
      });
      await assert.rejects(store.transaction((tx) => {
        tx.put(A, 'ec2:subnet', 'subnet-06', { vpcId: 'vpc-7' });
        tx.delete(A, 'ec2:subnet', 'subnet-09');
        throw new Error('rollback');
      }));
      await store.transaction((tx) => {
        assert.equal(tx.countBy(A, 'ec2:subnet', 'vpc', { key: 'vpc-0' }), 9);
        assert.equal(tx.countBy(A, 'ec2:subnet', 'vpc', { key: 'vpc-7' }), 0);
        assert.equal(tx.countBy(A, 'ec2:subnet', 'vpc', { key: 'vpc-9' }), 1);
        tx.put(A, 'ec2:route-table', 'rtb-1', { vpcId: 'vpc-0', associations: [{ subnetId: 'subnet-05' }] });
      });
      await store.transaction((tx) => assert.deepEqual(hits(tx, A, 'ec2:route-table', 'subnet', {}), ['subnet-05|rtb-1']));
      store.clear({ account: A.account, kindPrefix: 'ec2:' });
      await store.transaction((tx) => {
        assert.equal(tx.countBy(A, 'ec2:subnet', 'vpc', {}), 0);
        assert.equal(tx.countBy(A, 'ec2:tags', 'tag', {}), 0);
        assert.equal(tx.countBy(B, 'ec2:subnet', 'vpc', {}), 1);
        tx.put(A, 'ec2:subnet', 'subnet-x', { vpcId: 'vpc-0' });
      });
      await store.transaction((tx) => assert.deepEqual(hits(tx, A, 'ec2:subnet', 'vpc', {}), ['vpc-0|subnet-x']));
    });

    withStore('scopes are isolated by account and region', async (store) => {
      await store.transaction((tx) => {
        for (const s of [A, A2, B, IAM, G]) tx.put(s, 'thing', 'same-id', { where: `${s.account}/${s.region}` });
        tx.put(A, 'other', 'x', 1);
      });
      await store.transaction((tx) => {
        for (const s of [A, A2, B, IAM, G]) {
          assert.deepEqual(tx.get(s, 'thing', 'same-id'), { where: `${s.account}/${s.region}` });
          assert.equal(tx.count(s, 'thing'), 1);
        }
        tx.delete(A2, 'thing', 'same-id');
        assert.equal(tx.get(A, 'thing', 'same-id') !== undefined, true);
        assert.deepEqual(tx.scopes(A.account), [
          { ...IAM, kind: 'thing' }, { ...A, kind: 'other' }, { ...A, kind: 'thing' },
        ]);
        assert.deepEqual(tx.scopes(), [
          { ...G, kind: 'thing' }, { ...IAM, kind: 'thing' }, { ...A, kind: 'other' },
          { ...A, kind: 'thing' }, { ...B, kind: 'thing' },
        ]);
        assert.deepEqual(tx.scopes('333333333333'), []);
      });
    });

    withStore('clear by nothing, account, kind prefix', async (store) => {
      const fill = (): Promise<void> => store.transaction((tx) => {
        for (const s of [A, A2, B, IAM, G]) {
          for (const kind of ['s3.bucket', 's3.object', 'ec2.instance', 's3']) tx.put(s, kind, 'x', 1);
        }
      });
      const kinds = (): Promise<string[]> => store.transaction((tx) =>
        tx.scopes().map((s) => `${s.account}|${s.region}|${s.kind}`));
      await fill();
      store.setMeta('clock', '5');
      store.clear({ account: A.account, kindPrefix: 's3.' });
      let left = await kinds();
      assert.equal(left.length, 20 - 6);
      assert.ok(!left.some((k) => k.startsWith(A.account) && k.includes('|s3.')));
      assert.ok(left.includes(`${A.account}|${A.region}|s3`));
      store.clear({ account: B.account });
      left = await kinds();
      assert.ok(!left.some((k) => k.startsWith(B.account)));
      store.clear({ kindPrefix: 'ec2.' });
      left = await kinds();
      assert.ok(!left.some((k) => k.includes('ec2.')));
      assert.ok(left.includes(`${GLOBAL_ACCOUNT}||s3.object`));
      store.clear();
      assert.deepEqual(await kinds(), []);
      assert.equal(store.getMeta('clock'), '5');
      await fill();
      assert.equal((await kinds()).length, 20);
    });

    withStore('meta get/set and schema_version', async (store) => {
      assert.equal(store.getMeta('schema_version'), String(SCHEMA_VERSION));
      assert.equal(store.getMeta('nope'), undefined);
      store.setMeta('clock.offset', '1000');
      store.setMeta('clock.offset', '2000');
      store.setMeta('unicode', 'ü\u{1F600}');
      assert.equal(store.getMeta('clock.offset'), '2000');
      assert.equal(store.getMeta('unicode'), 'ü\u{1F600}');
    });

    withStore('setMeta and clear during a transaction are not undone by its rollback', async (store) => {
      await seed(store, A, 'k', ['old']);
      await seed(store, B, 'k', ['b-old']);
      await assert.rejects(store.transaction(async (tx) => {
        tx.put(A, 'k', 'mine', 1);
        await sleep(1);
        store.setMeta('m', 'set-during-tx');
        store.clear({ account: A.account });
        assert.equal(tx.get(A, 'k', 'mine'), undefined);
        tx.put(B, 'k', 'after-clear', 1);
        throw new Error('rollback');
      }));
      assert.equal(store.getMeta('m'), 'set-during-tx');
      await store.transaction((tx) => {
        assert.deepEqual(tx.scopes(), [{ ...B, kind: 'k' }]);
        assert.deepEqual(ids(tx, B, 'k'), ['b-old']);
      });
      await store.transaction(async (tx) => {
        tx.put(A, 'k', 'kept?', 1);
        store.clear({ account: A.account });
        tx.put(A, 'k', 'written-after-clear', 1);
        store.setMeta('m', 'committed');
      });
      assert.equal(store.getMeta('m'), 'committed');
      await store.transaction((tx) => assert.deepEqual(ids(tx, A, 'k'), ['written-after-clear']));
    });
  });
}
