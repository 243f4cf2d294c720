/**
 * Start-up as a ratio to a bare node:http server: spawn to first answered request, several
 * rounds alternating cloudlet and bare (so machine load hits both alike), medians compared.
 * cloudlet runs as `npm start` runs it (dist/bundle/main.js start --ephemeral), answering a
 * signed GetCallerIdentity; bare answers a fixed body. Target: at most 1.5x bare.
 */
import { startPeer, stopPeer } from './peers.js';

export interface StartupResult {
  cloudletMs: number[];
  bareMs: number[];
  cloudletMedian: number;
  bareMedian: number;
  ratio: number;
}

const median = (xs: number[]): number => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2]! : (s[s.length / 2 - 1]! + s[s.length / 2]!) / 2;
};

export async function measureStartup(probe: (url: string) => Promise<boolean>, rounds = Number(process.env.BENCH_START_ROUNDS ?? 7)): Promise<StartupResult> {
  const cloudletMs: number[] = [];
  const bareMs: number[] = [];
  const bareProbe = async (url: string): Promise<boolean> => (await fetch(url)).ok;
  for (let i = 0; i < rounds; i++) {
    for (const [name, into, p] of [['cloudlet', cloudletMs, probe], ['bare', bareMs, bareProbe]] as const) {
      const peer = await startPeer(name, p);
      into.push(peer.startMs);
      await stopPeer(peer);
    }
  }
  const cloudletMedian = median(cloudletMs);
  const bareMedian = median(bareMs);
  return { cloudletMs, bareMs, cloudletMedian, bareMedian, ratio: cloudletMedian / bareMedian };
}

export function printStartup(r: StartupResult): void {
  const list = (xs: number[]): string => xs.map((x) => x.toFixed(0)).join(' ');
  console.log(`\nstart-up to first answer (${r.cloudletMs.length} rounds, medians): cloudlet ${r.cloudletMedian.toFixed(0)} ms [${list(r.cloudletMs)}], `
    + `bare node:http ${r.bareMedian.toFixed(0)} ms [${list(r.bareMs)}]: ratio ${r.ratio.toFixed(2)}x`);
  console.log(`  ${r.ratio <= 1.5 ? 'met   ' : 'MISSED'} start-up at most 1.5x bare node:http`);
}
