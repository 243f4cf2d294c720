// The direct writer (xml-write.ts) must produce exactly what the tree (toXmlTree + renderXml)
// produces: checked on every output shape of the XML-protocol models, with generated values.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { loadModel, type ServiceModel } from './models.js';
import type { Shape } from './model-types.js';
import { renderXml, toXmlTree } from './xml.js';
import { mergeAttrs, namespacePairs, writeElement } from './xml-write.js';

/** A value for every member, down to `depth`; text with characters that need escaping. */
function sample(model: ServiceModel, ref: Shape, depth: number, seed: number): unknown {
  const s = model.resolve(ref);
  switch (s.type) {
    case 'structure': {
      if (depth <= 0) return {};
      const out: Record<string, unknown> = {};
      let i = 0;
      for (const [name, m] of Object.entries(s.members ?? {})) {
        if ((seed + i++) % 5 === 4) continue; // some members absent
        out[name] = sample(model, m, depth - 1, seed + i);
      }
      return out;
    }
    case 'list': return depth <= 0 ? [] : [sample(model, s.member!, depth - 1, seed + 1), sample(model, s.member!, depth - 1, seed + 2)];
    case 'map': return depth <= 0 ? {} : { k1: sample(model, s.value!, depth - 1, seed + 1), 'k<2>': sample(model, s.value!, depth - 1, seed + 2) };
    case 'integer': case 'long': return seed;
    case 'float': case 'double': return seed + 0.5;
    case 'boolean': return seed % 2 === 0;
    case 'timestamp': return new Date(1_700_000_000_000 + seed * 1000);
    case 'blob': return Buffer.from(`blob${seed}`);
    default: return `v${seed} & <x> "q" 'a'\r`;
  }
}

for (const uid of ['ec2-2016-11-15', 's3-2006-03-01', 'iam-2010-05-08', 'sts-2011-06-15', 'sns-2010-03-31', 'monitoring-2010-08-01', 'autoscaling-2011-01-01', 'elasticloadbalancingv2-2015-12-01']) {
  describe(`xml-write agrees with the tree writer: ${uid}`, () => {
    it('every output shape, EC2 and query styles', () => {
      const model = loadModel(uid);
      const style = { ec2: model.metadata.protocol === 'ec2' };
      let checked = 0;
      for (const name of model.operationNames) {
        const op = model.operation(name)!;
        if (!op.output) continue;
        const shape = model.resolve(op.output);
        for (const seed of [0, 3]) {
          const value = sample(model, op.output, 5, seed);
          const tree = renderXml('Root', toXmlTree(model, op.output, value, style));
          const direct = writeElement(model, shape, value, 'Root', style);
          assert.equal(direct, tree, `${name} seed ${seed}`);
          const nsTree = renderXml('Root', toXmlTree(model, op.output, value, style), { namespace: 'urn:x' });
          const nsDirect = writeElement(model, shape, value, 'Root', style, mergeAttrs([['xmlns', 'urn:x']], namespacePairs(undefined)));
          assert.equal(nsDirect, nsTree, `${name} seed ${seed} with a namespace`);
          checked++;
        }
      }
      assert.ok(checked > 10, `${checked} shapes checked`);
    });
  });
}
