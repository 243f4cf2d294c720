/**
 * One scan, with no store in sight: layers (as streams) and a database in, an outcome out.
 * index.ts feeds it the image's blobs and commits the outcome as the SCAN row.
 */
import { collectFiles, UnsupportedLayer, type LayerSource } from './layer-files.js';
import { matchPackages, type Finding, type InstalledPackage, type VulnDb } from './osv.js';
import { inventory, type OsInfo } from './packages.js';

export type ScanStatus = 'COMPLETE' | 'FAILED' | 'UNSUPPORTED_IMAGE';

export interface ScanOutcome {
  status: ScanStatus;
  description: string;
  os?: OsInfo;
  packages: InstalledPackage[];
  findings: Finding[];
}

/** ECR's words for an image whose OS or package manager basic scanning does not know. */
export const UNSUPPORTED = 'UnsupportedImageError: The operating system and/or package manager are not supported.';
export const COMPLETE = 'The scan was completed successfully.';

/** Ecosystems the comparators and the OS detection cover. */
const KNOWN_OS = /^(Debian|Ubuntu|Alpine|Rocky Linux|AlmaLinux|Wolfi|Chainguard)(:|$)/;

export async function scanImage(layers: LayerSource[], db: VulnDb): Promise<ScanOutcome> {
  let files;
  try {
    files = await collectFiles(layers);
  } catch (e) {
    if (e instanceof UnsupportedLayer) return { status: 'UNSUPPORTED_IMAGE', description: `${UNSUPPORTED} ${e.message}.`, packages: [], findings: [] };
    throw e;
  }
  const inv = await inventory(files);
  const language = inv.packages.filter((p) => p.ecosystem === 'npm' || p.ecosystem === 'PyPI');
  const osKnown = !!inv.os?.ecosystem && KNOWN_OS.test(inv.os.ecosystem);
  if (!osKnown && language.length === 0) {
    const what = inv.os ? `${inv.os.prettyName ?? inv.os.id} (os-release ID ${inv.os.id || 'missing'})` : 'no /etc/os-release';
    return { status: 'UNSUPPORTED_IMAGE', description: `${UNSUPPORTED} Found ${what}${inv.notes.length ? `; ${inv.notes.join('; ')}` : ''}.`, os: inv.os, packages: inv.packages, findings: [] };
  }
  const findings = matchPackages(db, osKnown ? inv.packages : language);
  const notes = [...inv.notes];
  if (inv.os && !osKnown) notes.push(`OS packages of ${inv.os.prettyName ?? inv.os.id} are not matched (unsupported distribution)`);
  if (osKnown && !inv.osPackages) notes.push('no OS package database found');
  return { status: 'COMPLETE', description: notes.length ? `${COMPLETE} Not scanned: ${notes.join('; ')}.` : COMPLETE, os: inv.os, packages: inv.packages, findings };
}
