/**
 * Provided: the progress events lesson 08 emits, and two helpers for them.
 *
 * Progress events of a pull or a push, one stream of them per layer, in
 * docker's own words so that the daemon can pass them on as the JSON messages
 * the docker CLI draws its progress bars from:
 *
 * ```
 * pull: Pulling fs layer → Downloading (current/total …) → Verifying Checksum → Download complete
 *       Already exists                                  (the blob was in the store)
 * push: Preparing → Pushing (current/total …) → Pushed
 *       Preparing → Layer already exists                (the registry had it: HEAD 200)
 *       Preparing → Mounted from <repository>           (a cross-repository mount)
 * ```
 * Only layers get events; the config blob is small and docker does not show it.
 */
import { digestHex } from '../image/digest.js';
import type { Digest } from '../image/digest.js';

/** What a pull reports for one layer. */
export type PullStatus = 'Pulling fs layer' | 'Downloading' | 'Retrying' | 'Verifying Checksum' | 'Download complete' | 'Already exists';

/** What a push reports for one layer; `Mounted from library/busybox` names the source repository. */
export type PushStatus = 'Preparing' | 'Pushing' | 'Pushed' | 'Layer already exists' | `Mounted from ${string}`;

/** One progress event. */
export interface ProgressEvent {
  /** The layer: the first 12 hex characters of its digest, as docker shows it. */
  id: string;
  /** What happens to it now. */
  status: PullStatus | PushStatus;
  /** Bytes done so far (`Downloading`, `Pushing`). */
  current?: number;
  /** The layer's size in bytes (`Downloading`, `Pushing`). */
  total?: number;
}

/** Receives progress events; it must not throw (what it throws is ignored). */
export type ProgressListener = (event: ProgressEvent) => void;

/** `sha256:8a7ff413b670…` → `8a7ff413b670`: docker's short id of a layer. */
export function shortId(digest: Digest): string {
  return digestHex(digest).slice(0, 12);
}

/** Calls `listener` when there is one, and keeps a listener's error from breaking a transfer. */
export function emit(listener: ProgressListener | undefined, event: ProgressEvent): void {
  try {
    listener?.(event);
  } catch {
    // a broken progress display must not fail the pull
  }
}
