/**
 * S3 operations whose IAM action has another name (AWS's "Required permissions for Amazon S3
 * API operations"), versioned variants, and the extra checks of copies and batch deletes.
 * Buckets and objects are named by Bucket and Key. Denials to anonymous and other-account
 * callers say only "Access Denied", as S3 does.
 */
import type { AuthzRequest, Check, ServiceAuthz } from '../authz/types.js';
import { refineChecks } from './authz-policy.js';

const ACTIONS: Record<string, string> = {
  CompleteMultipartUpload: 'PutObject',
  CopyObject: 'PutObject',
  CreateMultipartUpload: 'PutObject',
  CreateSession: 's3express:CreateSession',
  DeleteBucketAnalyticsConfiguration: 'PutAnalyticsConfiguration',
  DeleteBucketCors: 'PutBucketCORS',
  DeleteBucketEncryption: 'PutEncryptionConfiguration',
  DeleteBucketIntelligentTieringConfiguration: 'PutIntelligentTieringConfiguration',
  DeleteBucketInventoryConfiguration: 'PutInventoryConfiguration',
  DeleteBucketLifecycle: 'PutLifecycleConfiguration',
  DeleteBucketMetricsConfiguration: 'PutMetricsConfiguration',
  DeleteBucketOwnershipControls: 'PutBucketOwnershipControls',
  DeleteBucketReplication: 'PutReplicationConfiguration',
  DeleteBucketTagging: 'PutBucketTagging',
  DeleteObjects: 'DeleteObject',
  DeletePublicAccessBlock: 'PutBucketPublicAccessBlock',
  GetBucketAccelerateConfiguration: 'GetAccelerateConfiguration',
  GetBucketAnalyticsConfiguration: 'GetAnalyticsConfiguration',
  GetBucketEncryption: 'GetEncryptionConfiguration',
  GetBucketIntelligentTieringConfiguration: 'GetIntelligentTieringConfiguration',
  GetBucketInventoryConfiguration: 'GetInventoryConfiguration',
  GetBucketLifecycle: 'GetLifecycleConfiguration',
  GetBucketLifecycleConfiguration: 'GetLifecycleConfiguration',
  GetBucketMetricsConfiguration: 'GetMetricsConfiguration',
  GetBucketNotificationConfiguration: 'GetBucketNotification',
  GetBucketReplication: 'GetReplicationConfiguration',
  GetObjectLockConfiguration: 'GetBucketObjectLockConfiguration',
  GetPublicAccessBlock: 'GetBucketPublicAccessBlock',
  HeadBucket: 'ListBucket',
  HeadObject: 'GetObject',
  ListBucketAnalyticsConfigurations: 'GetAnalyticsConfiguration',
  ListBucketIntelligentTieringConfigurations: 'GetIntelligentTieringConfiguration',
  ListBucketInventoryConfigurations: 'GetInventoryConfiguration',
  ListBucketMetricsConfigurations: 'GetMetricsConfiguration',
  ListBuckets: 'ListAllMyBuckets',
  ListDirectoryBuckets: 's3express:ListAllMyDirectoryBuckets',
  ListMultipartUploads: 'ListBucketMultipartUploads',
  ListObjectVersions: 'ListBucketVersions',
  ListObjects: 'ListBucket',
  ListObjectsV2: 'ListBucket',
  ListParts: 'ListMultipartUploadParts',
  PutBucketAccelerateConfiguration: 'PutAccelerateConfiguration',
  PutBucketAnalyticsConfiguration: 'PutAnalyticsConfiguration',
  PutBucketEncryption: 'PutEncryptionConfiguration',
  PutBucketIntelligentTieringConfiguration: 'PutIntelligentTieringConfiguration',
  PutBucketInventoryConfiguration: 'PutInventoryConfiguration',
  PutBucketLifecycle: 'PutLifecycleConfiguration',
  PutBucketLifecycleConfiguration: 'PutLifecycleConfiguration',
  PutBucketMetricsConfiguration: 'PutMetricsConfiguration',
  PutBucketNotificationConfiguration: 'PutBucketNotification',
  PutBucketReplication: 'PutReplicationConfiguration',
  PutObjectLockConfiguration: 'PutBucketObjectLockConfiguration',
  PutPublicAccessBlock: 'PutBucketPublicAccessBlock',
  SelectObjectContent: 'GetObject',
  UploadPart: 'PutObject',
  UploadPartCopy: 'PutObject',
  WriteGetObjectResponse: 's3-object-lambda:WriteGetObjectResponse',
};

/** Object operations that name a version use the action's Version variant. */
const VERSIONED: Record<string, string> = {
  GetObject: 's3:GetObjectVersion',
  HeadObject: 's3:GetObjectVersion',
  DeleteObject: 's3:DeleteObjectVersion',
  GetObjectAcl: 's3:GetObjectVersionAcl',
  PutObjectAcl: 's3:PutObjectVersionAcl',
  GetObjectTagging: 's3:GetObjectVersionTagging',
  PutObjectTagging: 's3:PutObjectVersionTagging',
  DeleteObjectTagging: 's3:DeleteObjectVersionTagging',
};

const versioned = (op: string) => (req: AuthzRequest, generic: () => Check[]): Check[] =>
  typeof req.input?.VersionId === 'string' ? generic().map((c) => ({ ...c, action: VERSIONED[op]! })) : generic();

/** The source object of a copy: "bucket/key[?versionId=v]", URL-encoded, maybe with a leading '/'. */
function copySource(req: AuthzRequest): Check | undefined {
  const raw = req.input?.CopySource;
  if (typeof raw !== 'string') return undefined;
  const [path, query] = raw.replace(/^\//, '').split('?', 2) as [string, string | undefined];
  let decoded: string;
  try {
    decoded = decodeURIComponent(path);
  } catch {
    return undefined;
  }
  const versionId = query ? new URLSearchParams(query).get('versionId') : null;
  return { action: versionId ? 's3:GetObjectVersion' : 's3:GetObject', resource: `arn:aws:s3:::${decoded}` };
}

const withCopySource = (req: AuthzRequest, generic: () => Check[]): Check[] => {
  const src = copySource(req);
  return src ? [...generic(), src] : generic();
};

const authz: ServiceAuthz = {
  actions: ACTIONS,
  variables: { BucketName: ['Bucket'], ObjectName: ['Key'] },
  checks: {
    ...Object.fromEntries(Object.keys(VERSIONED).map((op) => [op, versioned(op)])),
    CopyObject: withCopySource,
    UploadPartCopy: withCopySource,
    // One s3:DeleteObject(Version) per key named.
    DeleteObjects: (req, generic) => {
      const objects = req.input?.Delete?.Objects;
      if (!Array.isArray(objects) || typeof req.input?.Bucket !== 'string') return generic();
      return objects.filter((o) => typeof o?.Key === 'string').map((o): Check => ({
        action: typeof o.VersionId === 'string' ? 's3:DeleteObjectVersion' : 's3:DeleteObject',
        resource: `arn:aws:s3:::${req.input.Bucket}/${o.Key}`,
      }));
    },
  },
  // Every check: the bucket owner's account, the bucket policy (and public ACL grants), S3's condition keys.
  refine: refineChecks,
  opaqueDenials: true,
};

export default authz;
