import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { AwsError } from '../../core/errors.js';
import { createMemoryStore } from '../../store/memory.js';
import type { Tx } from '../../store/types.js';
import { ACL_CONFIG, ALL_USERS, AUTHENTICATED_USERS, OWNERSHIP_CONFIG, aclGrantsPublicRead, bucketAclForCreate, cannedGrants, objectAclForWrite, requestedAcl } from './acl.js';
import { canonicalUserId, putConfig } from './buckets.js';
import { OBJECT_KIND, bucketObjectId, ownerScope, type ObjectVersion } from './records.js';

const fails = (code: string, message?: RegExp) => (e: AwsError) => e.code === code && (message === undefined || message.test(e.message));
const A = '111111111111';
const B = '222222222222';
const ID_A = canonicalUserId(A);
const ID_B = canonicalUserId(B);
const inTx = <T>(fn: (tx: Tx) => T) => createMemoryStore().transaction(fn);
const OBJECT = ['private', 'public-read', 'bucket-owner-full-control'];

test('canned ACLs become grant lists with the owner\'s FULL_CONTROL first', () => {
  assert.deepEqual(cannedGrants('private', ID_A, ID_A), [{ type: 'CanonicalUser', id: ID_A, permission: 'FULL_CONTROL' }]);
  assert.deepEqual(cannedGrants('public-read-write', ID_A, ID_A).slice(1), [
    { type: 'Group', uri: ALL_USERS, permission: 'READ' }, { type: 'Group', uri: ALL_USERS, permission: 'WRITE' },
  ]);
  assert.deepEqual(cannedGrants('authenticated-read', ID_A, ID_A)[1], { type: 'Group', uri: AUTHENTICATED_USERS, permission: 'READ' });
  // bucket-owner-*: a grant only when the writer is someone else.
  assert.equal(cannedGrants('bucket-owner-full-control', ID_A, ID_A).length, 1);
  assert.deepEqual(cannedGrants('bucket-owner-full-control', ID_B, ID_A)[1], { type: 'CanonicalUser', id: ID_A, permission: 'FULL_CONTROL' });
  assert.deepEqual(cannedGrants('bucket-owner-read', ID_B, ID_A)[1], { type: 'CanonicalUser', id: ID_A, permission: 'READ' });
});

test('an ACL request carries exactly one of a canned ACL, grant headers and a body', () => {
  assert.equal(requestedAcl({ ACL: 'public-read' }, ID_A, ID_A, OBJECT).canned, 'public-read');
  assert.throws(() => requestedAcl({ ACL: 'log-delivery-write' }, ID_A, ID_A, OBJECT), fails('InvalidArgument'));
  assert.throws(() => requestedAcl({ ACL: 'private', GrantRead: `id="${ID_B}"` }, ID_A, ID_A, OBJECT), fails('InvalidRequest', /both Canned ACLs and Header Grants/));
  assert.throws(() => requestedAcl({}, ID_A, ID_A, OBJECT), fails('MissingSecurityHeader'));
  assert.deepEqual(requestedAcl({ GrantRead: `id="${ID_B}", uri="${ALL_USERS}"`, GrantWriteACP: `id=${ID_A}` }, ID_A, ID_A, OBJECT).grants, [
    { type: 'CanonicalUser', id: ID_B, permission: 'READ' },
    { type: 'Group', uri: ALL_USERS, permission: 'READ' },
    { type: 'CanonicalUser', id: ID_A, permission: 'WRITE_ACP' },
  ]);
  assert.throws(() => requestedAcl({ GrantRead: 'nonsense' }, ID_A, ID_A, OBJECT), fails('InvalidArgument', /format/));
  assert.throws(() => requestedAcl({ GrantRead: 'id="short"' }, ID_A, ID_A, OBJECT), fails('InvalidArgument', /Invalid id/));
  assert.throws(() => requestedAcl({ GrantRead: 'uri="http://acs.amazonaws.com/groups/global/Nobody"' }, ID_A, ID_A, OBJECT), fails('InvalidArgument', /group uri/));
  assert.throws(() => requestedAcl({ GrantRead: 'emailAddress="x@example.com"' }, ID_A, ID_A, OBJECT), fails('UnresolvableGrantByEmailAddress'));
  const body = { Owner: { ID: ID_A }, Grants: [{ Grantee: { Type: 'Group' as const, URI: ALL_USERS }, Permission: 'READ' as const }] };
  assert.deepEqual(requestedAcl({ AccessControlPolicy: body }, ID_A, ID_A, OBJECT).grants, [{ type: 'Group', uri: ALL_USERS, permission: 'READ' }]);
  assert.throws(() => requestedAcl({ AccessControlPolicy: { Grants: body.Grants } }, ID_A, ID_A, OBJECT), fails('MalformedACLError'));
  assert.throws(() => requestedAcl({ AccessControlPolicy: { ...body, Owner: { ID: ID_B } } }, ID_A, ID_A, OBJECT), fails('AccessDenied'));
  assert.throws(() => requestedAcl({ AccessControlPolicy: { ...body, Grants: [{ Grantee: { Type: 'Group' }, Permission: 'READ' }] } }, ID_A, ID_A, OBJECT), fails('MalformedACLError'));
  assert.throws(() => requestedAcl({ AccessControlPolicy: { ...body, Grants: [{ Grantee: { Type: 'Group', URI: ALL_USERS }, Permission: 'ALL' as never }] } }, ID_A, ID_A, OBJECT), fails('MalformedACLError'));
});

test('ACLs on writes: refused under BucketOwnerEnforced unless they are the owner\'s full control; the default is not stored', async () => {
  await inTx((tx) => {
    putConfig(tx, A, 'enforced', OWNERSHIP_CONFIG, { Rules: [{ ObjectOwnership: 'BucketOwnerEnforced' }] });
    putConfig(tx, A, 'writer', OWNERSHIP_CONFIG, { Rules: [{ ObjectOwnership: 'ObjectWriter' }] });
    assert.equal(objectAclForWrite(tx, A, 'enforced', B, {}), undefined);
    assert.equal(objectAclForWrite(tx, A, 'enforced', B, { ACL: 'bucket-owner-full-control' }), undefined);
    assert.throws(() => objectAclForWrite(tx, A, 'enforced', B, { ACL: 'public-read' }), fails('AccessControlListNotSupported', /does not allow ACLs/));
    assert.throws(() => objectAclForWrite(tx, A, 'enforced', A, { GrantRead: `uri="${ALL_USERS}"` }), fails('AccessControlListNotSupported'));
    assert.equal(objectAclForWrite(tx, A, 'writer', A, { ACL: 'private' }), undefined);
    assert.deepEqual(objectAclForWrite(tx, A, 'writer', B, { ACL: 'bucket-owner-full-control' })?.grants.map((g) => g.id), [ID_B, ID_A]);
    assert.throws(() => bucketAclForCreate(A, 'BucketOwnerEnforced', { ACL: 'public-read' }), fails('AccessControlListNotSupported'));
    assert.equal(bucketAclForCreate(A, 'ObjectWriter', { ACL: 'public-read' })?.canned, 'public-read');
  });
});

test('aclGrantsPublicRead: AllUsers READ or FULL_CONTROL, on the bucket or the current version, and never with ACLs disabled', async () => {
  await inTx((tx) => {
    const scope = ownerScope(A);
    const version = (key: string, acl?: ObjectVersion['acl']): ObjectVersion => ({
      key, versionId: 'null', seq: 1, lastModifiedMs: 0, etag: '""', size: 0, pieces: [], owner: A, storageClass: 'STANDARD', ...(acl ? { acl } : {}),
    });
    putConfig(tx, A, 'b', OWNERSHIP_CONFIG, { Rules: [{ ObjectOwnership: 'ObjectWriter' }] });
    assert.equal(aclGrantsPublicRead(tx, A, 'b'), false);
    putConfig(tx, A, 'b', ACL_CONFIG, { canned: 'public-read', grants: cannedGrants('public-read', ID_A, ID_A) });
    assert.equal(aclGrantsPublicRead(tx, A, 'b'), true);
    tx.put(scope, OBJECT_KIND, bucketObjectId('b', 'pub'), version('pub', { grants: [{ type: 'Group', uri: ALL_USERS, permission: 'FULL_CONTROL' }] }));
    tx.put(scope, OBJECT_KIND, bucketObjectId('b', 'auth'), version('auth', { grants: cannedGrants('authenticated-read', ID_A, ID_A) }));
    tx.put(scope, OBJECT_KIND, bucketObjectId('b', 'plain'), version('plain'));
    assert.equal(aclGrantsPublicRead(tx, A, 'b', 'pub'), true);
    assert.equal(aclGrantsPublicRead(tx, A, 'b', 'auth'), false);
    assert.equal(aclGrantsPublicRead(tx, A, 'b', 'plain'), false);
    assert.equal(aclGrantsPublicRead(tx, A, 'b', 'missing'), false);
    putConfig(tx, A, 'b', OWNERSHIP_CONFIG, { Rules: [{ ObjectOwnership: 'BucketOwnerEnforced' }] });
    assert.equal(aclGrantsPublicRead(tx, A, 'b'), false);
    assert.equal(aclGrantsPublicRead(tx, A, 'b', 'pub'), false);
  });
});
