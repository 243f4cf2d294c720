import { strict as assert } from 'node:assert';
import { describe, it } from 'node:test';
import { zFor } from './forecast.js';

describe('forecast prediction intervals', () => {
  it('uses the two-sided normal quantile of the confidence level', () => {
    for (const [level, z] of [[51, 0.6903], [80, 1.2816], [95, 1.96], [99, 2.5758]] as const) {
      assert.ok(Math.abs(zFor(level) - z) < 1e-3, `${level}%: ${zFor(level)} vs ${z}`);
    }
  });
});
