import assert from 'node:assert/strict';
import { test } from 'node:test';
import { AwsError } from '../../core/errors.js';
import { createMemoryStore } from '../../store/memory.js';
import type { Tx } from '../../store/types.js';
import type { RequestContext } from '../types.js';
import { describe as run } from './describe.js';
import { setTags } from './tags.js';

const scope = { account: '111111111111', region: 'us-east-1' };

interface Sub { id: string; vpcId: string; cidrBlock: string }

/** A transaction that counts the rows it hands out, to show which queries read what. */
function counting(tx: Tx): { tx: Tx; rows: () => number } {
  let n = 0;
  const t: Tx = {
    ...tx,
    get: (s, k, id) => { const v = tx.get(s, k, id); if (v !== undefined) n++; return v as never; },
    list: (s, k, o) => { const r = tx.list(s, k, o); n += r.length; return r as never; },
    findBy: (s, k, i, q) => { const r = tx.findBy(s, k, i, q); n += r.length; return r as never; },
    countBy: tx.countBy.bind(tx), keysBy: tx.keysBy.bind(tx), count: tx.count.bind(tx), put: tx.put.bind(tx), delete: tx.delete.bind(tx), scopes: tx.scopes.bind(tx),
  };
  return { tx: t, rows: () => n };
}

const fields = { 'vpc-id': (s: Sub) => s.vpcId, 'cidr-block': (s: Sub) => s.cidrBlock, 'subnet-id': (s: Sub) => s.id };

test('filtered Describe calls read the matching rows through indexes, not every row', async () => {
  const store = createMemoryStore();
  await store.transaction((tx) => {
    for (let i = 0; i < 2000; i++) {
      const id = `subnet-${i.toString(16).padStart(17, '0')}`;
      tx.put(scope, 'ec2:subnet', id, { id, vpcId: `vpc-${(i % 20).toString(16).padStart(17, '0')}`, cidrBlock: `10.${i >> 8}.${i & 255}.0/24` });
      if (i % 100 === 0) setTags(tx, scope, 'subnet', id, [{ Key: 'tier', Value: i % 200 === 0 ? 'web' : 'db' }]);
    }
  });
  await store.transaction((raw) => {
    const vpc = `vpc-${'3'.padStart(17, '0')}`;
    const c = counting(raw);
    const ctx = { tx: c.tx, scope } as unknown as RequestContext;
    const byVpc = run<Sub>(ctx, { Filters: [{ Name: 'vpc-id', Values: [vpc] }] }, { operation: 'DescribeSubnets', type: 'subnet', fields, indexes: { 'vpc-id': 'vpc' } });
    assert.equal(byVpc.items.length, 100);
    assert.ok(byVpc.items.every((d) => d.record.vpcId === vpc));
    // Index keys, then the 100 rows (untagged: no tag rows): far from the 2000 a scan reads.
    assert.equal(c.rows(), 100);

    const c2 = counting(raw);
    const byTag = run<Sub>({ tx: c2.tx, scope } as unknown as RequestContext, { Filters: [{ Name: 'tag:tier', Values: ['web'] }] },
      { operation: 'DescribeSubnets', type: 'subnet', fields });
    assert.equal(byTag.items.length, 10);
    assert.equal(c2.rows(), 20, 'the 10 rows and their tags');

    // Two indexed filters: only rows in both indexes are read (the 10 'web' rows of VPC 0's 100; none in VPC 1).
    const both = (vpc: string): { ids: string[]; rows: number } => {
      const c3 = counting(raw);
      const r = run<Sub>({ tx: c3.tx, scope } as unknown as RequestContext,
        { Filters: [{ Name: 'vpc-id', Values: [vpc] }, { Name: 'tag:tier', Values: ['web'] }] },
        { operation: 'DescribeSubnets', type: 'subnet', fields, indexes: { 'vpc-id': 'vpc' } });
      assert.ok(r.items.every((d) => d.record.vpcId === vpc && d.tags[0]!.Value === 'web'));
      return { ids: r.items.map((d) => d.id), rows: c3.rows() };
    };
    const web0 = both(`vpc-${'0'.padStart(17, '0')}`);
    assert.deepEqual(web0.ids, byTag.items.map((d) => d.id));
    assert.equal(web0.rows, 20, 'the 10 rows and their tags');
    assert.deepEqual(both(`vpc-${'1'.padStart(17, '0')}`), { ids: [], rows: 0 });

    // Wildcards fall back to a scan; the result is the same mechanism's.
    const wild = run<Sub>(ctx, { Filters: [{ Name: 'tag:tier', Values: ['w*'] }, { Name: 'cidr-block', Values: ['10.0.*'] }] },
      { operation: 'DescribeSubnets', type: 'subnet', fields });
    assert.deepEqual(wild.items.map((d) => d.id), [`subnet-${'0'.padStart(17, '0')}`, `subnet-${'c8'.padStart(17, '0')}`]);
  });
  store.close();
});

test('pages of an indexed query and of a scan cover each row once, in ID order', async () => {
  const store = createMemoryStore();
  await store.transaction((tx) => {
    for (let i = 0; i < 37; i++) {
      const id = `subnet-${i.toString(16).padStart(17, '0')}`;
      tx.put(scope, 'ec2:subnet', id, { id, vpcId: i % 2 ? 'vpc-1' : 'vpc-2', cidrBlock: '10.0.0.0/24' });
    }
  });
  await store.transaction((tx) => {
    const ctx = { tx, scope } as unknown as RequestContext;
    for (const filters of [[{ Name: 'vpc-id', Values: ['vpc-1'] }], []]) {
      const seen: string[] = [];
      let token: string | undefined;
      do {
        const page = run<Sub>(ctx, { Filters: filters, MaxResults: 5, NextToken: token }, { operation: 'DescribeSubnets', type: 'subnet', fields, indexes: { 'vpc-id': 'vpc' } });
        assert.ok(page.items.length <= 5);
        seen.push(...page.items.map((d) => d.id));
        token = page.nextToken;
      } while (token);
      assert.equal(seen.length, filters.length ? 18 : 37);
      assert.deepEqual(seen, [...seen].sort());
    }
    assert.throws(() => run<Sub>(ctx, { Filters: [{ Name: 'bogus', Values: ['x'] }] }, { operation: 'DescribeSubnets', type: 'subnet', fields }),
      (e: AwsError) => e.code === 'InvalidParameterValue' && e.message === "The filter 'bogus' is invalid");
  });
  store.close();
});
