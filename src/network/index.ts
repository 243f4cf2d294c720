/**
 * The network engine: pure (no I/O, no store, no clock), like src/policy/.
 *
 *   const net = prepare(snapshot);          // index a NetworkSnapshot once (types.ts)
 *   const answer = analyze(net, question);  // { NetworkPathFound, ForwardPathComponents,
 *                                           //   ReturnPathComponents, Explanations }
 *
 * `snapshot` is built by the service from the store: VPCs, subnets (explicit route table
 * association or none = main table; their ACL), route tables (routes with `target` = `local` or the
 * target's ID, `state`), internet/egress-only gateways with their attachment, NAT gateways,
 * endpoints, peering connections, ENIs (private/public addresses, groups, source/dest check,
 * instance), security groups, network ACLs (numbered entries; the `*` deny is implicit) and
 * managed prefix lists. `question`: source and destination (`i-`, `eni-`, `igw-`, `nat-`, `pcx-`,
 * `vpce-`, an IP, or `internet`), `protocol` tcp|udp, `destinationPort`, optional `sourcePort`
 * (default: the ephemeral range DEFAULT_SOURCE_PORTS), optional pinned `sourceIp`/`destinationIp`.
 *
 * The answer's members are the EC2 model's PathComponent / Explanation shapes (PascalCase), so
 * DescribeNetworkInsightsAnalyses can return them as they are. Explanation codes are those of
 * AWS's "Reachability Analyzer explanation codes". Unknown resources or bad parameters throw
 * NetworkQuestionError carrying the AWS error code to answer with.
 *
 * Tests: src/network/testkit.ts builds topologies (Topology, threeTier() = the seeds' network);
 * the service's tests can reuse it.
 *
 * renderAnalysis() prints an answer hop by hop with the deciding rules (for `cloudlet net why`).
 *
 * cidr.ts holds the address maths the service needs for validation and allocation
 * (parseCidr's `hostBitsSet`: AWS canonicalises such blocks rather than refusing them).
 */
export * from './cidr.js';
export { analyze, DEFAULT_SOURCE_PORTS } from './analyze.js';
export { prepare, effectiveRouteTable, isPublicSubnet, type Net } from './prepare.js';
export { evaluateAcl, evaluateSgs, protocolNumber } from './rules.js';
export { renderAnalysis, describeExplanation, describeAclRule, describeSgRule, describeRoute } from './render.js';
export * from './types.js';
