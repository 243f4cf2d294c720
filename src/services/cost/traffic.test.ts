import { strict as assert } from 'node:assert';
import { describe, it } from 'node:test';
import { lcuHoursOfMinute } from './traffic.js';

describe('load balancer capacity units', () => {
  it('takes the larger dimension of the minute: new connections or bytes processed', () => {
    // 25 new connections a second for a minute is one LCU for a sixtieth of an hour.
    assert.ok(Math.abs(lcuHoursOfMinute(25 * 60) - 1 / 60) < 1e-12);
    // 1 GiB an hour is one LCU: a minute carrying 1/60 GiB at 6,000 bytes a request.
    const perGibHour = 2 ** 30 / 60 / 6000;
    assert.ok(Math.abs(lcuHoursOfMinute(perGibHour) - Math.max(perGibHour / 1500, 1) / 60) < 1e-12);
    assert.equal(lcuHoursOfMinute(0), 0);
  });
});
