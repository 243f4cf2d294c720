import type { Handler } from '../../types.js';
import {
  describeImageAttribute, disableImageBlockPublicAccess, disableImageDeprecation, enableImageBlockPublicAccess, enableImageDeprecation,
  getImageBlockPublicAccessState, modifyImageAttribute, resetImageAttribute,
} from './images-attributes.js';
import { copyImage, createImage, deregisterImage, registerImage } from './images-create.js';
import { describeImages } from './images-describe.js';

/** EC2 operations of this area, merged into the EC2 service by compute/handlers.ts. */
export const imagesHandlers: Record<string, Handler> = {
  DescribeImages: describeImages as Handler,
  CreateImage: createImage as Handler,
  RegisterImage: registerImage as Handler,
  CopyImage: copyImage as Handler,
  DeregisterImage: deregisterImage as Handler,
  DescribeImageAttribute: describeImageAttribute as Handler,
  ModifyImageAttribute: modifyImageAttribute as Handler,
  ResetImageAttribute: resetImageAttribute as Handler,
  EnableImageBlockPublicAccess: enableImageBlockPublicAccess as Handler,
  DisableImageBlockPublicAccess: disableImageBlockPublicAccess as Handler,
  GetImageBlockPublicAccessState: getImageBlockPublicAccessState as Handler,
  EnableImageDeprecation: enableImageDeprecation as Handler,
  DisableImageDeprecation: disableImageDeprecation as Handler,
};
