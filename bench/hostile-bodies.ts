/**
 * Hostile request bodies: 60 connections each send 15 MiB of a 16 MB body and stall. Reports
 * cloudlet's RSS at idle, while the connections hold their bodies, and after they close, plus
 * how many were refused (503) and how long health took under the load.
 * Runs alone too: `node --import tsx bench/hostile-bodies.ts` (after `npm run build`).
 */
import { fileURLToPath } from 'node:url';
import { fakeSigV4, partialBody } from '../test/helpers/partial-body.js';
import { rssMb, startPeer, stopPeer } from './peers.js';

const MiB = 1024 * 1024;
const CONNECTIONS = 60;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

export interface HostileResult {
  idleMb: number;
  holdingMb: number;
  afterMb: number;
  refused: number;
  healthMs: number;
}

async function healthy(url: string): Promise<boolean> {
  const r = await fetch(`${url}/_cloudlet/health`);
  await r.arrayBuffer();
  return r.status === 200;
}

export async function hostileBodies(): Promise<HostileResult> {
  const peer = await startPeer('cloudlet', healthy);
  try {
    await sleep(1000);
    const pid = peer.child.pid!;
    const idleMb = rssMb(pid);
    const held = Array.from({ length: CONNECTIONS }, () =>
      partialBody(peer.url, { declared: 16_000_000, send: 15 * MiB, headers: `Authorization: ${fakeSigV4('sts')}\r\n` }));
    // Let every connection push what it can, then measure while the admitted bodies are held.
    await sleep(3000);
    const holdingMb = rssMb(pid);
    const t0 = performance.now();
    await healthy(peer.url);
    const healthMs = performance.now() - t0;
    const refused = (await Promise.all(held.map((h) => Promise.race([h.answered, sleep(100).then(() => '')]))))
      .filter((line) => / 503 /.test(line)).length;
    for (const h of held) h.destroy();
    await sleep(3000);
    return { idleMb, holdingMb, afterMb: rssMb(pid), refused, healthMs };
  } finally {
    await stopPeer(peer);
  }
}

export function printHostile(r: HostileResult): void {
  console.log(`\nhostile bodies: ${CONNECTIONS} connections x 15 MiB partial bodies (body budget 256 MiB)`);
  console.log(`  RSS idle ${r.idleMb.toFixed(1)} MB, holding ${r.holdingMb.toFixed(1)} MB, after close ${r.afterMb.toFixed(1)} MB`);
  console.log(`  ${r.refused} of ${CONNECTIONS} refused with 503; health under load ${r.healthMs.toFixed(1)} ms`);
  console.log(`  ${r.holdingMb < r.idleMb + 356 ? 'met   ' : 'MISSED'} RSS while holding under idle + budget + 100 MB`);
  console.log(`  ${r.afterMb < r.idleMb + 100 ? 'met   ' : 'MISSED'} RSS after close under idle + 100 MB`);
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  hostileBodies().then(printHostile, (e: unknown) => { console.error(e); process.exit(1); });
}
