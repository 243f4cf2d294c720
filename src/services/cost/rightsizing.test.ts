import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { analyze, fitsHeadroom, IDLE_NETWORK_BYTES_PER_S, MIN_DATA_HOURS, percentile, platformDifferences, projectCpu, type AnalysisOptions, type TypeSpec, type Utilization } from './rightsizing.js';

const spec = (type: string, vcpus: number, memoryGiB: number, rate: number, extra: Partial<TypeSpec> = {}): TypeSpec => ({
  type, family: type.split('.')[0]!, vcpus, memoryMiB: memoryGiB * 1024, arch: 'x86_64', rate, storage: 'EBS only', instanceStore: false,
  hypervisor: 'nitro', ena: 'required', nvme: 'required', virtualization: ['hvm'], ...extra,
});

const M5L = spec('m5.large', 2, 8, 0.096);
const M5XL = spec('m5.xlarge', 4, 16, 0.192);
const M52XL = spec('m5.2xlarge', 8, 32, 0.384);
const C5L = spec('c5.large', 2, 4, 0.085);
const R5L = spec('r5.large', 2, 16, 0.126);
const T3L = spec('t3.large', 2, 8, 0.0832, { baseline: 30 });
const M4XL = spec('m4.xlarge', 4, 16, 0.2, { hypervisor: 'xen', nvme: 'unsupported' });
const POOL = [M5L, M5XL, M52XL, C5L, R5L, T3L, M4XL];

const rate = (avg: number, max = avg) => ({ avg, max });
function util(maxCpu: number, avgCpu = maxCpu, o: { hours?: number; p995?: number; net?: number } = {}): Utilization {
  const net = o.net ?? 800;
  return {
    hours: o.hours ?? 14 * 24, maxCpu, avgCpu, cpuPercentiles: { p90: o.p995 ?? maxCpu, p95: o.p995 ?? maxCpu, 'p99.5': o.p995 ?? maxCpu },
    network: { inBytes: rate(net * 0.375), outBytes: rate(net * 0.625), inPackets: rate(3), outPackets: rate(4) },
    ebs: { readOps: rate(0.5), writeOps: rate(2), readBytes: rate(8192), writeBytes: rate(32768) },
  };
}

const CE: AnalysisOptions = { statistic: 'max', headroom: 20, crossFamily: false, maxOptions: 3 };
const CO: AnalysisOptions = { statistic: 'p99.5', headroom: 20, crossFamily: true, maxOptions: 3 };

describe('right-sizing analysis', () => {
  test('an m5.xlarge at 8% CPU goes down to an m5.large: the same work on half the vCPUs, saving the rate difference x 730 h', () => {
    const a = analyze(M5XL, util(8), POOL, CE);
    assert.equal(a.finding, 'over');
    assert.equal(a.monthlyCost, 140.16);
    assert.deepEqual(a.options.map((o) => o.spec.type), ['m5.large'], 'the same family only: m4 costs more, others are other families');
    const o = a.options[0]!;
    assert.equal(o.projectedMaxCpu, 16);
    assert.equal(o.monthlyCost, 70.08);
    assert.equal(o.monthlySavings, 70.08);
    assert.equal(o.savingsPercent, 50);
    assert.deepEqual(o.platformDifferences, []);
  });

  test('across families: memory per vCPU is kept (no c5), a burstable type only within its baseline, best saving first', () => {
    const a = analyze(M5XL, util(8), POOL, { ...CE, crossFamily: true });
    assert.deepEqual(a.options.map((o) => o.spec.type), ['t3.large', 'm5.large', 'r5.large']);
    assert.equal(a.options[0]!.projectedAvgCpu, 16, 'under the t3.large baseline of 30%');
    const busier = analyze(M5XL, util(20, 18), POOL, { ...CE, crossFamily: true });
    assert.deepEqual(busier.options.map((o) => o.spec.type), ['m5.large', 'r5.large'], 'a projected 36% average would drain a t3.large');
  });

  test('idle: maximum CPU at or below 1% with no traffic is flagged for termination; traffic makes it merely over-provisioned', () => {
    assert.equal(analyze(M5XL, util(0.5), POOL, CE).finding, 'idle');
    assert.equal(analyze(M5XL, util(1), POOL, CE).finding, 'idle');
    assert.equal(analyze(M5XL, util(1.2), POOL, CE).finding, 'over');
    assert.equal(analyze(M5XL, util(0.5, 0.5, { net: IDLE_NETWORK_BYTES_PER_S * 10 }), POOL, CE).finding, 'over');
  });

  test('busy: nothing smaller keeps 60% under the headroom (optimized); 85% does not fit at all (under-provisioned: a larger type)', () => {
    const busy = analyze(M5XL, util(60), POOL, CE);
    assert.equal(busy.finding, 'optimized');
    assert.deepEqual(busy.options, []);
    const hot = analyze(M5XL, util(85), POOL, CO);
    assert.equal(hot.finding, 'under');
    assert.deepEqual(hot.options.map((o) => o.spec.type), ['m5.2xlarge']);
    assert.equal(hot.options[0]!.projectedCpu, 42.5);
    assert.ok(hot.options[0]!.monthlySavings < 0, 'a larger type costs more');
  });

  test('fewer than 30 hours of data: no answer', () => {
    assert.equal(analyze(M5XL, util(8, 8, { hours: MIN_DATA_HOURS - 1 }), POOL, CE).finding, 'insufficient');
    assert.equal(analyze(M5XL, util(8, 8, { hours: MIN_DATA_HOURS }), POOL, CE).finding, 'over');
  });

  test('Compute Optimizer judges the P99.5 of the 5-minute maxima: a rare spike does not hold a downsizing back; Cost Explorer\'s maximum does', () => {
    const spiky = util(95, 6, { p995: 10 });
    assert.equal(analyze(M5XL, spiky, POOL, CO).finding, 'over');
    assert.equal(analyze(M5XL, spiky, POOL, CE).finding, 'under');
  });

  test('projection, headroom, percentiles, platform differences', () => {
    assert.equal(projectCpu(30, 4, 2), 60);
    assert.equal(projectCpu(80, 4, 2), 100, 'capped at a full instance');
    assert.equal(projectCpu(80, 2, 8), 20);
    assert.ok(fitsHeadroom(83.3, 20));
    assert.ok(!fitsHeadroom(83.4, 20));
    assert.ok(fitsHeadroom(100, 0));
    assert.equal(percentile([5, 1, 4, 2, 3], 50), 3);
    assert.equal(percentile([5, 1, 4, 2, 3], 100), 5);
    assert.equal(percentile(Array.from({ length: 1000 }, (_, i) => i + 1), 99.5), 995);
    assert.deepEqual(platformDifferences(M4XL, M5L), ['Hypervisor', 'StorageInterface']);
    assert.deepEqual(platformDifferences(M5XL, spec('m6g.large', 2, 8, 0.077, { arch: 'arm64' })), ['Architecture']);
  });
});
