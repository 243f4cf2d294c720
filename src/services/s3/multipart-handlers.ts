import type { Handler } from '../types.js';
import { listMultipartUploads, listParts } from './multipart-list.js';
import {
  abortMultipartUpload, completeMultipartUpload, createMultipartUpload, uploadPart, uploadPartCopy,
} from './multipart-upload.js';

/** Multipart uploads (UploadPart and UploadPartCopy run outside the store lock: index.ts OUTSIDE). */
export const multipartHandlers: Record<string, Handler> = {
  CreateMultipartUpload: createMultipartUpload,
  UploadPart: uploadPart,
  UploadPartCopy: uploadPartCopy,
  CompleteMultipartUpload: completeMultipartUpload,
  AbortMultipartUpload: abortMultipartUpload,
  ListParts: listParts,
  ListMultipartUploads: listMultipartUploads,
};
