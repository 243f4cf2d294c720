/**
 * Elastic Load Balancing v2, control plane: application and network load balancers, target
 * groups, listeners and rules, tags; target health from the network model (health.ts). No
 * traffic is proxied. Each request first settles the scope's fleet (draining ends).
 */
import { FLEET_STEPS } from '../fleet/steps.js';
import { withFleet } from '../fleet/engine.js';
import { defineService } from '../types.js';
import { describeAccountLimits, describeSSLPolicies } from './account.js';
import * as extras from './listener-extras.js';
import { createListener, deleteListener, describeListeners, modifyListener } from './listeners.js';
import * as lbs from './load-balancers.js';
import { createRule, deleteRule, describeRules, modifyRule, setRulePriorities } from './rules.js';
import { addTags, describeTags, removeTags } from './tags.js';
import * as tgs from './target-groups.js';
import { deregisterTargets, describeTargetHealth, registerTargets } from './targets.js';

export default withFleet(defineService({
  name: 'elbv2', modelId: 'elasticloadbalancingv2-2015-12-01',
  handlers: {
    CreateLoadBalancer: lbs.createLoadBalancer, DescribeLoadBalancers: lbs.describeLoadBalancers, DeleteLoadBalancer: lbs.deleteLoadBalancer,
    DescribeLoadBalancerAttributes: lbs.describeLoadBalancerAttributes, ModifyLoadBalancerAttributes: lbs.modifyLoadBalancerAttributes,
    DescribeCapacityReservation: lbs.describeCapacityReservation,
    SetSubnets: lbs.setSubnets, SetSecurityGroups: lbs.setSecurityGroups, SetIpAddressType: lbs.setIpAddressType,
    CreateTargetGroup: tgs.createTargetGroup, DescribeTargetGroups: tgs.describeTargetGroups, ModifyTargetGroup: tgs.modifyTargetGroup,
    DeleteTargetGroup: tgs.deleteTargetGroup, DescribeTargetGroupAttributes: tgs.describeTargetGroupAttributes,
    ModifyTargetGroupAttributes: tgs.modifyTargetGroupAttributes,
    RegisterTargets: registerTargets, DeregisterTargets: deregisterTargets, DescribeTargetHealth: describeTargetHealth,
    CreateListener: createListener, DescribeListeners: describeListeners, ModifyListener: modifyListener, DeleteListener: deleteListener,
    DescribeListenerAttributes: extras.describeListenerAttributes, ModifyListenerAttributes: extras.modifyListenerAttributes,
    AddListenerCertificates: extras.addListenerCertificates, DescribeListenerCertificates: extras.describeListenerCertificates,
    RemoveListenerCertificates: extras.removeListenerCertificates,
    CreateRule: createRule, DescribeRules: describeRules, ModifyRule: modifyRule, SetRulePriorities: setRulePriorities, DeleteRule: deleteRule,
    AddTags: addTags, RemoveTags: removeTags, DescribeTags: describeTags,
    DescribeAccountLimits: describeAccountLimits, DescribeSSLPolicies: describeSSLPolicies,
  },
}), () => FLEET_STEPS);
