import type { Handler } from '../../types.js';
import { attachVolume, detachVolume } from './ebs-attach.js';
import {
  disableEbsEncryptionByDefault, disableSnapshotBlockPublicAccess, enableEbsEncryptionByDefault, enableSnapshotBlockPublicAccess,
  getEbsDefaultKmsKeyId, getEbsEncryptionByDefault, getSnapshotBlockPublicAccessState, modifyEbsDefaultKmsKeyId, resetEbsDefaultKmsKeyId,
} from './ebs-settings.js';
import {
  copySnapshot, createSnapshot, createSnapshots, deleteSnapshot, describeSnapshotAttribute, describeSnapshots,
  modifySnapshotAttribute, resetSnapshotAttribute,
} from './snapshots.js';
import {
  createVolume, deleteVolume, describeVolumeAttribute, describeVolumes, describeVolumesModifications, describeVolumeStatus,
  modifyVolume, modifyVolumeAttribute,
} from './volumes.js';

/** EC2 operations of this area, merged into the EC2 service by compute/handlers.ts. */
export const ebsHandlers: Record<string, Handler> = {
  CreateVolume: createVolume,
  DescribeVolumes: describeVolumes,
  DescribeVolumeStatus: describeVolumeStatus,
  DescribeVolumeAttribute: describeVolumeAttribute,
  ModifyVolumeAttribute: modifyVolumeAttribute,
  DeleteVolume: deleteVolume,
  ModifyVolume: modifyVolume,
  DescribeVolumesModifications: describeVolumesModifications,
  AttachVolume: attachVolume,
  DetachVolume: detachVolume,
  CreateSnapshot: createSnapshot,
  CreateSnapshots: createSnapshots,
  CopySnapshot: copySnapshot,
  DeleteSnapshot: deleteSnapshot,
  DescribeSnapshots: describeSnapshots,
  DescribeSnapshotAttribute: describeSnapshotAttribute,
  ModifySnapshotAttribute: modifySnapshotAttribute,
  ResetSnapshotAttribute: resetSnapshotAttribute,
  EnableEbsEncryptionByDefault: enableEbsEncryptionByDefault,
  DisableEbsEncryptionByDefault: disableEbsEncryptionByDefault,
  GetEbsEncryptionByDefault: getEbsEncryptionByDefault,
  GetEbsDefaultKmsKeyId: getEbsDefaultKmsKeyId,
  ModifyEbsDefaultKmsKeyId: modifyEbsDefaultKmsKeyId,
  ResetEbsDefaultKmsKeyId: resetEbsDefaultKmsKeyId,
  GetSnapshotBlockPublicAccessState: getSnapshotBlockPublicAccessState,
  EnableSnapshotBlockPublicAccess: enableSnapshotBlockPublicAccess,
  DisableSnapshotBlockPublicAccess: disableSnapshotBlockPublicAccess,
};
