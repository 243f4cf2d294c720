/**
 * EC2 input members whose names differ from the ARN template variables of the service
 * authorization reference. Everything else (actions, '*' for Describe*, instance/* for the
 * instance RunInstances creates, ec2:Region) comes from the generated table.
 */
import type { ServiceAuthz } from '../authz/types.js';

const authz: ServiceAuthz = {
  variables: {
    SecurityGroupId: ['GroupId', 'GroupIds', 'SecurityGroupId', 'SecurityGroupIds'],
    KeyPairName: ['KeyName', 'KeyNames'],
    NaclId: ['NetworkAclId', 'NetworkAclIds'],
    LocalGatewayRoutetableId: ['LocalGatewayRouteTableId'],
  },
};

export default authz;
