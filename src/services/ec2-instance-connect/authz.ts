/**
 * ec2-instance-connect:SendSSHPublicKey is checked on the EC2 instance's ARN (the generated
 * table gives it) with the ec2:osuser condition key, and the instance's tags as
 * aws:ResourceTag (EC2's tags).
 */
import type { ServiceAuthz } from '../authz/types.js';
import { resourceTagsOfArn } from '../ec2/tags.js';

const authz: ServiceAuthz = {
  checks: {
    SendSSHPublicKey: (req, generic) => generic().map((c) => ({
      ...c, context: { ...c.context, 'ec2:osuser': typeof req.input?.InstanceOSUser === 'string' ? req.input.InstanceOSUser : undefined },
    })),
  },
  resourceTags: (req, arn) => resourceTagsOfArn(req.tx, arn),
};

export default authz;
