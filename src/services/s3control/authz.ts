/**
 * S3 Control's IAM actions are in the `s3` prefix under other names (AWS's "Actions, resources,
 * and condition keys for Amazon S3"): the account-level Block Public Access settings are
 * s3:PutAccountPublicAccessBlock / s3:GetAccountPublicAccessBlock, resource `*`; deleting them
 * needs the Put permission. The S3 on Outposts bucket operations are s3-outposts: actions and
 * the directory-bucket access point scopes s3express: ones (not served; named so that a policy
 * simulation and a denial name the action AWS would).
 */
import type { ServiceAuthz } from '../authz/types.js';

const authz: ServiceAuthz = {
  prefix: 's3',
  actions: {
    PutPublicAccessBlock: 'PutAccountPublicAccessBlock',
    GetPublicAccessBlock: 'GetAccountPublicAccessBlock',
    DeletePublicAccessBlock: 'PutAccountPublicAccessBlock',
    GetBucket: 's3-outposts:GetBucket',
    ListRegionalBuckets: 's3-outposts:ListRegionalBuckets',
    GetBucketLifecycleConfiguration: 's3-outposts:GetLifecycleConfiguration',
    PutBucketLifecycleConfiguration: 's3-outposts:PutLifecycleConfiguration',
    DeleteBucketLifecycleConfiguration: 's3-outposts:PutLifecycleConfiguration',
    GetBucketReplication: 's3-outposts:GetReplicationConfiguration',
    PutBucketReplication: 's3-outposts:PutReplicationConfiguration',
    DeleteBucketReplication: 's3-outposts:PutReplicationConfiguration',
    DeleteBucketTagging: 's3-outposts:PutBucketTagging',
    GetAccessPointScope: 's3express:GetAccessPointScope',
    PutAccessPointScope: 's3express:PutAccessPointScope',
    DeleteAccessPointScope: 's3express:DeleteAccessPointScope',
    ListAccessPointsForDirectoryBuckets: 's3express:ListAccessPointsForDirectoryBuckets',
  },
  // As S3: anonymous and other-account callers are told only "Access Denied".
  opaqueDenials: true,
};

export default authz;
