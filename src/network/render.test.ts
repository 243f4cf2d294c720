import assert from 'node:assert/strict';
import { test } from 'node:test';
import { analyze, prepare } from './index.js';
import { renderAnalysis } from './render.js';
import { threeTier } from './testkit.js';

test('renders the deciding rules hop by hop and the explanation', () => {
  const n = threeTier();
  const ok = renderAnalysis(analyze(prepare(n.t.snapshot()), { source: n.appInst[0]!.id, destination: n.dbInst.id, protocol: 'tcp', destinationPort: 5432 }));
  assert.match(ok, /^reachable\nforward path:/);
  assert.match(ok, new RegExp(`allowed by ingress tcp port 5432 from ${n.appSg.id}`));
  assert.match(ok, /allowed by outbound rule 100 allow protocol 6 ports 1024-65535 to 10\.0\.0\.0\/16/);
  assert.match(ok, /allowed: reply to a tracked connection/);
  n.dbAcl.entries = n.dbAcl.entries.filter((e) => !e.egress);
  const bad = renderAnalysis(analyze(prepare(n.t.snapshot()), { source: n.appInst[0]!.id, destination: n.dbInst.id, protocol: 'tcp', destinationPort: 5432 }));
  assert.match(bad, /^not reachable/);
  assert.match(bad, new RegExp(`why:\\n  SUBNET_ACL_RESTRICTION  egress  ${n.dbAcl.id}  outbound rule \\* \\(32767\\) deny all traffic to 0\\.0\\.0\\.0/0`));
});
