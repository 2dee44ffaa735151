/**
 * A container's own mounts in its runtime spec: binds (host directories and
 * volumes' data directories) and tmpfs, as docker writes them into
 * `config.json`, parents before children.
 *
 * ```
 * bind  /srv/www → /usr/share/www, read-only   {"type":"bind","source":"/srv/www","destination":"/usr/share/www","options":["rbind","rprivate","ro"]}
 * tmpfs /run, size=65536k                       {"type":"tmpfs","source":"tmpfs","destination":"/run","options":["noexec","nosuid","nodev","size=65536k"]}
 * ```
 */
import { NotImplementedError } from '../errors.js';
import type { Mount } from './spec.js';

/** What one of a container's own mounts needs to be in the spec. */
export interface UserMount {
  kind: 'bind' | 'tmpfs';
  /** The host path of a bind (a volume's data directory too); unused for tmpfs. */
  source: string;
  destination: string;
  readonly: boolean;
  /** A bind's propagation: rprivate unless asked otherwise. */
  propagation?: string;
  /** tmpfs options as given: `size=64m`, `mode=1777`, `exec` … */
  tmpfsOptions?: string[];
}

/** docker's tmpfs defaults; an option given with the opposite meaning replaces each. */
export const TMPFS_DEFAULTS = ['noexec', 'nosuid', 'nodev'] as const;

/** Path components, the sort key: `/` 0, `/a` 1, `/a/b` 2. */
function depth(destination: string): number {
  return destination.split('/').filter(Boolean).length;
}

/**
 * The spec mounts of a container's own mounts, sorted so a parent is
 * mounted before what is mounted inside it (docker sorts by the number of
 * path components; equal ones keep their order).
 * - bind: type `bind`, options `rbind`, the propagation (default `rprivate`), and `ro` when read-only;
 * - tmpfs: type and source `tmpfs`, docker's defaults `noexec`, `nosuid`, `nodev` unless an option
 *   given says otherwise (`exec`, `suid`, `dev`), then the options given, and `ro` when read-only.
 */
export function specMounts(mounts: readonly UserMount[]): Mount[] {
  // TODO(lesson-15): Turn each mount into a spec Mount, parents first (fewer path components first, a stable sort).
  // HINT: bind: {destination, type: 'bind', source, options: ['rbind', propagation || 'rprivate', ...(readonly ? ['ro'] : [])]}.
  // HINT: tmpfs: {destination, type: 'tmpfs', source: 'tmpfs', options}: TMPFS_DEFAULTS unless an option given undoes one
  // HINT: (exec, suid, dev), then the options given, then 'ro' when read-only.
  void mounts, depth;
  throw new NotImplementedError('lesson-15: specMounts');
}
