import { strict as assert } from 'node:assert';
import { describe, it } from 'node:test';
import { bestCommitment, bestCount } from './commitment-recommendations.js';

describe('purchase recommendation sizes', () => {
  it('buys reservations while the next one covers enough hours to beat its effective cost', () => {
    // Two instances half the time, one the rest: the second RI is used 50% of the hours.
    const hourly = [2, 2, 1, 1];
    assert.equal(bestCount(hourly, 1, 0.6), 1, 'at 60% of On-Demand a half-used RI loses money');
    assert.equal(bestCount(hourly, 1, 0.4), 2, 'at 40% it pays');
    assert.equal(bestCount([0, 0, 0], 1, 0.1), 0);
    assert.equal(bestCount([0.5, 0.5], 1, 0.4), 1, 'a half-hour each hour still beats 40%');
  });

  it('commits up to the hourly spend where a higher commitment stops paying', () => {
    // Plan rates at 0.8 of On-Demand: the part of a commitment above 0.5/h pays only if more than
    // 80% of the hours use it.
    const od = (sp: number[]) => sp.map((x) => x / 0.8);
    assert.equal(bestCommitment([1, 1, 1, 1, 1, 0.5], od([1, 1, 1, 1, 1, 0.5])), 1, 'five hours of six');
    assert.equal(bestCommitment([1, 1, 1, 0.5], od([1, 1, 1, 0.5])), 0.5, 'three of four is not enough');
    assert.equal(bestCommitment([1, 1, 0.5, 0.5], [1, 1, 0.5, 0.5].map((x) => x / 0.95)), 0.5, 'at 0.95 only the always-used half pays');
    assert.equal(bestCommitment([0, 0], [0, 0]), 0);
  });
});
