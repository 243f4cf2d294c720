/**
 * The botocore service-model format (botocore's service-2.json, vendored in models/). Members
 * are `{shape: "Name", ...memberTraits}`; inline shapes and shapes without `type` (a string)
 * are also read, as older minified models wrote them.
 */
export type ShapeType =
  | 'structure' | 'list' | 'map' | 'string' | 'integer' | 'long' | 'float' | 'double'
  | 'boolean' | 'timestamp' | 'blob' | 'bigdecimal' | 'biginteger' | 'character' | 'byte' | 'short';

export interface Shape {
  shape?: string;
  type?: ShapeType;
  members?: Record<string, Shape>;
  required?: string[];
  member?: Shape;
  key?: Shape;
  value?: Shape;
  locationName?: string;
  /** 'uri' | 'querystring' | 'header' | 'headers' | 'statusCode' */
  location?: string;
  queryName?: string;
  flattened?: boolean;
  xmlAttribute?: boolean;
  xmlNamespace?: { uri?: string; prefix?: string } | string;
  payload?: string;
  streaming?: boolean;
  requiresLength?: boolean;
  timestampFormat?: 'iso8601' | 'rfc822' | 'unixTimestamp';
  jsonvalue?: boolean;
  sensitive?: boolean;
  idempotencyToken?: boolean;
  hostLabel?: boolean;
  eventstream?: boolean;
  exception?: boolean;
  error?: { code?: string; httpStatusCode?: number; senderFault?: boolean };
  /** A server-side error shape (botocore's spelling of Smithy's error: "server"). */
  fault?: boolean;
  union?: boolean;
  document?: boolean;
  event?: boolean;
  min?: number;
  max?: number;
  enum?: string[];
  pattern?: string;
  box?: boolean;
  resultWrapper?: string;
  wrapper?: boolean;
  deprecated?: boolean;
  contextParam?: unknown;
}

export interface HttpTrait {
  method?: string;
  requestUri?: string;
  responseCode?: number;
}

export interface Operation {
  name?: string;
  http?: HttpTrait;
  input?: Shape;
  output?: Shape;
  errors?: Shape[];
  endpoint?: { hostPrefix?: string };
  httpChecksum?: { requestChecksumRequired?: boolean; requestAlgorithmMember?: string };
  httpChecksumRequired?: boolean;
  deprecated?: boolean;
}

export interface ModelMetadata {
  apiVersion: string;
  endpointPrefix: string;
  protocol: 'query' | 'ec2' | 'rest-xml' | 'json' | 'rest-json' | 'smithy-rpc-v2-cbor';
  protocols?: string[];
  jsonVersion?: string;
  targetPrefix?: string;
  serviceId: string;
  signingName?: string;
  signatureVersion?: string;
  xmlNamespace?: string;
  uid?: string;
  globalEndpoint?: string;
  /** Present (as {}) on JSON / CBOR services that keep their awsQuery error codes (CloudWatch). */
  awsQueryCompatible?: Record<string, unknown>;
}

export interface RawModel {
  metadata: ModelMetadata;
  operations: Record<string, Operation>;
  shapes: Record<string, Shape>;
}
