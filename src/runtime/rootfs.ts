/**
 * A container's own root filesystem, on top of the image's unpacked tree,
 * which many containers share and none may change.
 *
 * ```
 * <data root>/rootfs/<image id>/     lower: the image, read-only for everyone
 * <container dir>/
 * ├── upper/                         overlay: the container's changes (new files, whiteouts)
 * ├── work/                          overlay: the kernel's scratch space, same file system as upper
 * └── bundle/rootfs/                 the mount point (overlay) or a full copy of lower (copy)
 * ```
 *
 * overlayfs needs root (or a user namespace the daemon does not have); the
 * copy costs disk space and time but works for anyone. Like dockerd, the
 * overlay is mounted only while the container runs: the shim runs the
 * {@link overlayMountArgs} command before the runtime and unmounts it once
 * the runtime exited (lesson 11's `TaskOptions.mount`). `upper/` stays, so a
 * container's changes survive a restart.
 */
import { execFile } from 'node:child_process';
import fs from 'node:fs/promises';
import path from 'node:path';
import { promisify } from 'node:util';
import { isRoot } from '../config.js';
import { NotImplementedError } from '../errors.js';

const run = promisify(execFile);

/** How a container's rootfs is made: an overlay mount, or a copy of the image's tree. */
export type RootfsMode = 'overlay' | 'copy';

/** 'overlay' when running as root, 'copy' otherwise. */
export function defaultRootfsMode(): RootfsMode {
  // TODO(lesson-10): Return 'overlay' when this process runs as root (uid 0), else 'copy'.
  throw new NotImplementedError('lesson-10: defaultRootfsMode');
}

/** The rootfs path of a container: `<containerDir>/bundle/rootfs`. */
export function rootfsPath(containerDir: string): string {
  return path.join(containerDir, 'bundle', 'rootfs');
}

/**
 * Makes `<containerDir>/bundle/rootfs` from the image's tree `lower`, which is
 * never modified:
 * - overlay: checks that `lower` is a directory, then creates `upper/`, `work/`
 *   and the empty mount point; nothing is mounted yet (see {@link overlayMountArgs});
 * - copy: `cp -a <lower> <rootfs>` (modes, owners where allowed, links and times kept).
 * On failure it removes what it made and rethrows.
 * @returns the rootfs path
 * @throws Error when `lower` is missing (overlay), or with cp's own message
 */
export async function prepareRootfs(lower: string, containerDir: string, mode: RootfsMode): Promise<string> {
  // TODO(lesson-10): Make upper/, work/ and the empty bundle/rootfs for an overlay (lower must be a directory), or cp -a lower; return rootfsPath().
  // HINT: overlay mounts nothing here: the shim runs overlayMountArgs() as the container starts. copy: command('cp', ['-a', '--', lower, rootfs]).
  // HINT: On any failure: await removeRootfs(containerDir) (ignore its error), then rethrow.
  void lower, containerDir, mode;
  throw new NotImplementedError('lesson-10: prepareRootfs');
}

/**
 * The command that mounts a prepared overlay rootfs, `mount` first and the
 * mount point last:
 * `mount -t overlay overlay -o lowerdir=<lower>,upperdir=<upper>,workdir=<work> <containerDir>/bundle/rootfs`
 * (absolute paths). Running it is the caller's business: the shim does, as the
 * container starts. Nothing is checked here.
 */
export function overlayMountArgs(lower: string, containerDir: string): string[] {
  // TODO(lesson-10): Return ['mount', '-t', 'overlay', 'overlay', '-o', 'lowerdir=…,upperdir=…,workdir=…', rootfs], every path absolute.
  // HINT: upper and work are <containerDir>/upper and <containerDir>/work; path.resolve() makes a path absolute.
  void lower, containerDir;
  throw new NotImplementedError('lesson-10: overlayMountArgs');
}

/**
 * Removes a container's rootfs: unmounts `bundle/rootfs` when something is
 * still mounted there (a shim that died before it could unmount; "not mounted"
 * counts as done), then deletes `bundle/rootfs`, `upper/` and `work/`.
 * Idempotent: nothing there is fine.
 * @throws Error when the rootfs is mounted and cannot be unmounted (busy …).
 */
export async function removeRootfs(containerDir: string): Promise<void> {
  // TODO(lesson-10): Unmount bundle/rootfs while isMountPoint() says so, then remove bundle/rootfs, upper/ and work/.
  // HINT: An umount error saying "not mounted" means done. Never fs.rm a rootfs that is still mounted.
  void containerDir;
  throw new NotImplementedError('lesson-10: removeRootfs');
}

/**
 * Whether a mount's target is `dir`, per /proc/self/mountinfo (field 5 is the
 * mount point, with spaces and other specials escaped as `\NNN` octal).
 */
export async function isMountPoint(dir: string): Promise<boolean> {
  const target = await fs.realpath(dir).catch(() => path.resolve(dir));
  const info = await fs.readFile('/proc/self/mountinfo', 'utf8');
  return info.split('\n').some((line) => {
    const field = line.split(' ')[4];
    return field !== undefined && field.replace(/\\([0-7]{3})/g, (_, o: string) => String.fromCharCode(parseInt(o, 8))) === target;
  });
}

/** Runs a command; on failure throws an Error carrying its stderr. */
async function command(file: string, args: string[]): Promise<void> {
  try {
    await run(file, args);
  } catch (err) {
    const e = err as { stderr?: string; message: string };
    throw new Error(`${file} ${args.join(' ')}: ${(e.stderr ?? '').trim() || e.message}`);
  }
}
