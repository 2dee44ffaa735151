/**
 * Choosing one image from an index (OCI) or manifest list (Docker): the entry
 * whose `platform` is the one wanted, `linux/amd64` on most machines.
 *
 * ```
 * index ─┬─ linux/arm64/v8    ✗
 *        ├─ linux/amd64       ✓ the manifest to pull
 *        └─ unknown/unknown   ✗ (an attestation, not an image)
 * ```
 */
import type { Descriptor, Index, Platform } from '../image/types.js';
import { NoMatchingPlatformError, formatPlatform } from './errors.js';

// Node's names → Go's (GOARCH), which OCI platforms use.
const ARCHITECTURES: Record<string, string> = { x64: 'amd64', arm64: 'arm64', arm: 'arm', ia32: '386', ppc64: 'ppc64le', s390x: 's390x', riscv64: 'riscv64' };

/** This machine's platform in OCI's words: `{ os: 'linux', architecture: 'amd64' }` (arm64 adds `variant: 'v8'`). */
export function hostPlatform(): Platform {
  const architecture = ARCHITECTURES[process.arch] ?? process.arch;
  const os = process.platform === 'win32' ? 'windows' : process.platform;
  return architecture === 'arm64' ? { os, architecture, variant: 'v8' } : { os, architecture };
}

// arm64 images often leave out the variant "v8", the only one there is.
const variantOf = (p: Platform) => p.variant ?? (p.architecture === 'arm64' ? 'v8' : undefined);

/**
 * True when `candidate` runs on `wanted`: the same os and architecture, and
 * the same variant when both name one.
 */
export function platformMatches(candidate: Platform, wanted: Platform): boolean {
  if (candidate.os !== wanted.os || candidate.architecture !== wanted.architecture) return false;
  const [a, b] = [variantOf(candidate), variantOf(wanted)];
  return a === undefined || b === undefined || a === b;
}

/**
 * The index entry for `platform`: the first whose platform matches.
 * Entries without a platform are skipped.
 * @throws NoMatchingPlatformError listing the platforms the index offers.
 */
export function selectManifest(index: Index, platform: Platform): Descriptor {
  const match = index.manifests.find((entry) => entry.platform !== undefined && platformMatches(entry.platform, platform));
  if (match !== undefined) return match;
  const available = index.manifests.flatMap((entry) => (entry.platform === undefined ? [] : [formatPlatform(entry.platform)]));
  throw new NoMatchingPlatformError(platform, available);
}
