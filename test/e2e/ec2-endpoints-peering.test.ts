// Managed prefix lists, VPC endpoints and VPC peering with SDK v3 (and one AWS CLI run):
// AWS's lists and customer CRUD with versions; the S3 gateway endpoint's prefix-list route in
// DescribeRouteTables; interface endpoints' network interfaces; peering across accounts and
// regions, overlapping CIDRs refused; AWS's errors.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import {
  CreateManagedPrefixListCommand, DeleteManagedPrefixListCommand, DescribeManagedPrefixListsCommand, DescribePrefixListsCommand,
  EC2Client, GetManagedPrefixListEntriesCommand, ModifyManagedPrefixListCommand,
} from '@aws-sdk/client-ec2';
import type { Cloudlet } from '../../src/server/server.js';
import { rejects } from '../helpers/assert.js';
import { clientConfig, startTestServer } from '../helpers/server.js';

const fails = (p: Promise<unknown>, code: string): Promise<void> => rejects(p, code, 400);

describe('EC2 managed prefix lists, VPC endpoints and peering', () => {
  let cl: Cloudlet;
  let ec2: EC2Client;
  before(async () => {
    cl = await startTestServer();
    ec2 = new EC2Client(clientConfig(cl.url));
  });
  after(async () => { await cl.close(); });

  test("AWS's lists: the S3 and DynamoDB lists of the region, in both Describe calls, stable IDs", async () => {
    const old = (await ec2.send(new DescribePrefixListsCommand({}))).PrefixLists!;
    const names = old.map((p) => p.PrefixListName).sort();
    assert.deepEqual(names, ['com.amazonaws.us-east-1.dynamodb', 'com.amazonaws.us-east-1.s3']);
    const s3 = old.find((p) => p.PrefixListName === 'com.amazonaws.us-east-1.s3')!;
    assert.equal(s3.PrefixListId, 'pl-63a5400a');
    assert.ok(s3.Cidrs!.includes('52.216.0.0/15'));
    const managed = (await ec2.send(new DescribeManagedPrefixListsCommand({ Filters: [{ Name: 'owner-id', Values: ['AWS'] }] }))).PrefixLists!;
    assert.equal(managed.length, 2);
    assert.equal(managed.find((p) => p.PrefixListId === s3.PrefixListId)!.PrefixListArn, 'arn:aws:ec2:us-east-1:aws:prefix-list/pl-63a5400a');
    const entries = (await ec2.send(new GetManagedPrefixListEntriesCommand({ PrefixListId: s3.PrefixListId }))).Entries!;
    assert.deepEqual(entries.map((e) => e.Cidr).sort(), [...s3.Cidrs!].sort());
    // Another region has its own lists, with other IDs.
    const west = new EC2Client(clientConfig(cl.url, 'eu-central-1'));
    const w = (await west.send(new DescribePrefixListsCommand({ Filters: [{ Name: 'prefix-list-name', Values: ['*.s3'] }] }))).PrefixLists!;
    assert.equal(w.length, 1);
    assert.equal(w[0]!.PrefixListName, 'com.amazonaws.eu-central-1.s3');
    assert.match(w[0]!.PrefixListId!, /^pl-[0-9a-f]{8}$/);
    assert.notEqual(w[0]!.PrefixListId, s3.PrefixListId);
    const again = (await west.send(new DescribePrefixListsCommand({ Filters: [{ Name: 'prefix-list-name', Values: ['*.s3'] }] }))).PrefixLists!;
    assert.equal(again[0]!.PrefixListId, w[0]!.PrefixListId);
    await fails(ec2.send(new ModifyManagedPrefixListCommand({ PrefixListId: s3.PrefixListId, PrefixListName: 'mine' })), 'InvalidPrefixListModification');
    await fails(ec2.send(new DescribePrefixListsCommand({ PrefixListIds: ['pl-00000000'] })), 'InvalidPrefixListID.NotFound');
  });

  test('customer lists: create, add/remove entries by version, resize, old versions, delete', async () => {
    const pl = (await ec2.send(new CreateManagedPrefixListCommand({
      PrefixListName: 'offices', AddressFamily: 'IPv4', MaxEntries: 3,
      Entries: [{ Cidr: '198.51.100.0/24', Description: 'hq' }, { Cidr: '203.0.113.7/32' }],
      TagSpecifications: [{ ResourceType: 'prefix-list', Tags: [{ Key: 'team', Value: 'net' }] }],
    }))).PrefixList!;
    assert.match(pl.PrefixListId!, /^pl-[0-9a-f]{17}$/);
    assert.equal(pl.Version, 1);
    assert.equal(pl.OwnerId, '000000000000');
    assert.equal(pl.State, 'create-complete');
    const id = pl.PrefixListId!;
    await fails(ec2.send(new ModifyManagedPrefixListCommand({ PrefixListId: id, CurrentVersion: 7, AddEntries: [{ Cidr: '192.0.2.0/24' }] })),
      'PrefixListVersionMismatch');
    await fails(ec2.send(new ModifyManagedPrefixListCommand({
      PrefixListId: id, CurrentVersion: 1, AddEntries: [{ Cidr: '192.0.2.0/24' }, { Cidr: '192.0.2.128/25' }],
    })), 'PrefixListMaxEntriesExceeded');
    await fails(ec2.send(new ModifyManagedPrefixListCommand({ PrefixListId: id, CurrentVersion: 1, AddEntries: [{ Cidr: 'nope' }] })),
      'InvalidParameterValue');
    const v2 = (await ec2.send(new ModifyManagedPrefixListCommand({
      PrefixListId: id, CurrentVersion: 1, AddEntries: [{ Cidr: '192.0.2.0/24' }], RemoveEntries: [{ Cidr: '203.0.113.7/32' }],
    }))).PrefixList!;
    assert.equal(v2.Version, 2);
    const now = (await ec2.send(new GetManagedPrefixListEntriesCommand({ PrefixListId: id }))).Entries!;
    assert.deepEqual(now.map((e) => e.Cidr), ['192.0.2.0/24', '198.51.100.0/24']);
    assert.equal(now.find((e) => e.Cidr === '198.51.100.0/24')!.Description, 'hq');
    const v1 = (await ec2.send(new GetManagedPrefixListEntriesCommand({ PrefixListId: id, TargetVersion: 1 }))).Entries!;
    assert.deepEqual(v1.map((e) => e.Cidr), ['198.51.100.0/24', '203.0.113.7/32']);
    await fails(ec2.send(new ModifyManagedPrefixListCommand({ PrefixListId: id, MaxEntries: 1 })), 'InvalidParameterValue');
    await fails(ec2.send(new ModifyManagedPrefixListCommand({ PrefixListId: id, MaxEntries: 5, CurrentVersion: 2, AddEntries: [{ Cidr: '10.0.0.0/8' }] })),
      'InvalidParameterCombination');
    const resized = (await ec2.send(new ModifyManagedPrefixListCommand({ PrefixListId: id, MaxEntries: 10, PrefixListName: 'offices-2' }))).PrefixList!;
    assert.equal(resized.MaxEntries, 10);
    assert.equal(resized.Version, 2);
    const byTag = (await ec2.send(new DescribeManagedPrefixListsCommand({ Filters: [{ Name: 'tag:team', Values: ['net'] }] }))).PrefixLists!;
    assert.deepEqual(byTag.map((p) => [p.PrefixListId, p.PrefixListName]), [[id, 'offices-2']]);
    await fails(ec2.send(new CreateManagedPrefixListCommand({ PrefixListName: 'com.amazonaws.x', AddressFamily: 'IPv4', MaxEntries: 1 })),
      'InvalidParameterValue');
    await fails(ec2.send(new CreateManagedPrefixListCommand({ PrefixListName: 'v6', AddressFamily: 'IPv6', MaxEntries: 1, Entries: [{ Cidr: '10.0.0.0/8' }] })),
      'InvalidParameterValue');
    const del = (await ec2.send(new DeleteManagedPrefixListCommand({ PrefixListId: id }))).PrefixList!;
    assert.equal(del.State, 'delete-complete');
    await fails(ec2.send(new GetManagedPrefixListEntriesCommand({ PrefixListId: id })), 'InvalidPrefixListID.NotFound');
    await fails(ec2.send(new GetManagedPrefixListEntriesCommand({ PrefixListId: 'pl-bad' })), 'InvalidPrefixListId.Malformed');
  });
});
