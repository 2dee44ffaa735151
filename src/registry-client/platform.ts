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
import { NotImplementedError } from '../errors.js';
import type { Descriptor, Index, Platform } from '../image/types.js';
import { NoMatchingPlatformError, formatPlatform } from './errors.js';

// Node's names → Go's (GOARCH), which OCI platforms use.
const ARCHITECTURES: Record<string, string> = { x64: 'amd64', arm64: 'arm64', arm: 'arm', ia32: '386', ppc64: 'ppc64le', s390x: 's390x', riscv64: 'riscv64' };

/** This machine's platform in OCI's words: `{ os: 'linux', architecture: 'amd64' }` (arm64 adds `variant: 'v8'`). */
export function hostPlatform(): Platform {
  // TODO(lesson-08): Describe this machine: os from process.platform, architecture from process.arch through ARCHITECTURES.
  throw new NotImplementedError('lesson-08: hostPlatform');
}

// arm64 images often leave out the variant "v8", the only one there is.
const variantOf = (p: Platform) => p.variant ?? (p.architecture === 'arm64' ? 'v8' : undefined);

/**
 * True when `candidate` runs on `wanted`: the same os and architecture, and
 * the same variant when both name one.
 */
export function platformMatches(candidate: Platform, wanted: Platform): boolean {
  // TODO(lesson-08): Compare os and architecture, and the variants (variantOf) only when both have one.
  void candidate, wanted;
  throw new NotImplementedError('lesson-08: platformMatches');
}

/**
 * The index entry for `platform`: the first whose platform matches.
 * Entries without a platform are skipped.
 * @throws NoMatchingPlatformError listing the platforms the index offers.
 */
export function selectManifest(index: Index, platform: Platform): Descriptor {
  // TODO(lesson-08): Return the first index entry whose platform matches; none → NoMatchingPlatformError listing formatPlatform() of each entry.
  void index, platform;
  throw new NotImplementedError('lesson-08: selectManifest');
}
