import type { Handler } from '../../types.js';
import { withDefaultVpc } from '../vpc/handlers.js';
import {
  associateIamInstanceProfile, describeIamInstanceProfileAssociations, disassociateIamInstanceProfile, replaceIamInstanceProfileAssociation,
} from './instance-profiles.js';
import { rebootInstances, startInstances, stopInstances, terminateInstances } from './instances-actions.js';
import {
  describeInstanceAttribute, describeInstanceCreditSpecifications, getConsoleOutput, modifyInstanceAttribute,
  modifyInstanceCreditSpecification, modifyInstanceMetadataOptions,
} from './instances-attributes.js';
import { describeInstances, describeInstanceStatus } from './instances-describe.js';
import { runInstances } from './instances-run.js';
import {
  createLaunchTemplate, createLaunchTemplateVersion, deleteLaunchTemplate, deleteLaunchTemplateVersions, describeLaunchTemplates,
  describeLaunchTemplateVersions, modifyLaunchTemplate,
} from './launch-templates.js';
import { createPlacementGroup, deletePlacementGroup, describePlacementGroups } from './placement-groups.js';
import { cancelSpotInstanceRequests, describeSpotInstanceRequests, requestSpotInstancesWith } from './spot.js';

/** EC2 operations of this area, merged into the EC2 service by compute/handlers.ts. */
export const instancesHandlers: Record<string, Handler> = {
  // A launch without a subnet goes to the default VPC, made on first use as on a new account.
  RunInstances: withDefaultVpc(runInstances as Handler),
  RequestSpotInstances: withDefaultVpc(requestSpotInstancesWith(runInstances) as Handler),
  DescribeInstances: describeInstances as Handler,
  DescribeInstanceStatus: describeInstanceStatus as Handler,
  StartInstances: startInstances as Handler,
  StopInstances: stopInstances as Handler,
  RebootInstances: rebootInstances as Handler,
  TerminateInstances: terminateInstances as Handler,
  DescribeInstanceAttribute: describeInstanceAttribute as Handler,
  ModifyInstanceAttribute: modifyInstanceAttribute as Handler,
  ModifyInstanceMetadataOptions: modifyInstanceMetadataOptions as Handler,
  DescribeInstanceCreditSpecifications: describeInstanceCreditSpecifications as Handler,
  ModifyInstanceCreditSpecification: modifyInstanceCreditSpecification as Handler,
  GetConsoleOutput: getConsoleOutput as Handler,
  AssociateIamInstanceProfile: associateIamInstanceProfile as Handler,
  ReplaceIamInstanceProfileAssociation: replaceIamInstanceProfileAssociation as Handler,
  DisassociateIamInstanceProfile: disassociateIamInstanceProfile as Handler,
  DescribeIamInstanceProfileAssociations: describeIamInstanceProfileAssociations as Handler,
  CreateLaunchTemplate: createLaunchTemplate as Handler,
  CreateLaunchTemplateVersion: createLaunchTemplateVersion as Handler,
  ModifyLaunchTemplate: modifyLaunchTemplate as Handler,
  DeleteLaunchTemplate: deleteLaunchTemplate as Handler,
  DeleteLaunchTemplateVersions: deleteLaunchTemplateVersions as Handler,
  DescribeLaunchTemplates: describeLaunchTemplates as Handler,
  DescribeLaunchTemplateVersions: describeLaunchTemplateVersions as Handler,
  CreatePlacementGroup: createPlacementGroup as Handler,
  DeletePlacementGroup: deletePlacementGroup as Handler,
  DescribePlacementGroups: describePlacementGroups as Handler,
  DescribeSpotInstanceRequests: describeSpotInstanceRequests as Handler,
  CancelSpotInstanceRequests: cancelSpotInstanceRequests as Handler,
};
