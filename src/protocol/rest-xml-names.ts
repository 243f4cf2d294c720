/**
 * Root element names of rest-xml output documents that have no payload member. The botocore
 * models this codec reads do not spell them (SDKs ignore the root when reading), but AWS
 * sends them and tools that parse by name (and humans diffing responses) see them. Taken from
 * the Smithy models' @xmlName traits as shipped in @aws-sdk/client-s3's schemas; operations
 * missing here fall back to `{Operation}Result`.
 */
const ROOT_NAMES: Record<string, Record<string, string>> = {
  S3: {
    CompleteMultipartUpload: 'CompleteMultipartUploadResult',
    CreateMultipartUpload: 'InitiateMultipartUploadResult',
    CreateSession: 'CreateSessionResult',
    DeleteObjects: 'DeleteResult',
    GetBucketAccelerateConfiguration: 'AccelerateConfiguration',
    GetBucketAcl: 'AccessControlPolicy',
    GetBucketCors: 'CORSConfiguration',
    GetBucketLifecycle: 'LifecycleConfiguration',
    GetBucketLifecycleConfiguration: 'LifecycleConfiguration',
    GetBucketLocation: 'LocationConstraint',
    GetBucketLogging: 'BucketLoggingStatus',
    GetBucketNotification: 'NotificationConfiguration',
    GetBucketNotificationConfiguration: 'NotificationConfiguration',
    GetBucketRequestPayment: 'RequestPaymentConfiguration',
    GetBucketTagging: 'Tagging',
    GetBucketVersioning: 'VersioningConfiguration',
    GetBucketWebsite: 'WebsiteConfiguration',
    GetObjectAcl: 'AccessControlPolicy',
    GetObjectAttributes: 'GetObjectAttributesResponse',
    GetObjectTagging: 'Tagging',
    ListBucketAnalyticsConfigurations: 'ListBucketAnalyticsConfigurationResult',
    ListBucketIntelligentTieringConfigurations: 'ListBucketIntelligentTieringConfigurationsOutput',
    ListBucketInventoryConfigurations: 'ListInventoryConfigurationsResult',
    ListBucketMetricsConfigurations: 'ListMetricsConfigurationsResult',
    ListBuckets: 'ListAllMyBucketsResult',
    ListDirectoryBuckets: 'ListAllMyDirectoryBucketsResult',
    ListMultipartUploads: 'ListMultipartUploadsResult',
    ListObjectVersions: 'ListVersionsResult',
    ListObjects: 'ListBucketResult',
    ListObjectsV2: 'ListBucketResult',
    ListParts: 'ListPartsResult',
  },
};

export function outputRootName(serviceId: string, operation: string, shapeLocationName?: string): string {
  return shapeLocationName ?? ROOT_NAMES[serviceId]?.[operation] ?? `${operation}Result`;
}
