/**
 * Real containers for the runtime checks, made without any lesson's code: a
 * busybox bundle whose config.json comes from the runtime's own `runc spec`
 * (`--rootless` when not root). What a check starts with it (temp dirs,
 * containers) belongs to its TestScope (./scope.ts), which removes it all, also
 * when the check fails.
 *
 * ```
 * <tmp>/                     one per check (TestScope.tempDir)
 * ├── runtime/<binary>/      --root of runc or crun
 * └── containers/<id>/       the container dir: fifos, pid, exit …
 *     └── bundle/
 *         ├── config.json    runc spec, patched: args, env, hostname, terminal (false unless asked), resources
 *         └── rootfs/        /bin/busybox, an applet symlink per command, /etc/passwd …
 * ```
 */
import { execFile } from 'node:child_process';
import fs from 'node:fs/promises';
import path from 'node:path';
import { promisify } from 'node:util';
import type { LinuxResources, Spec } from '../../solutions/runtime/spec.js';
import { findStaticBusybox, stageRootfs } from '../../fixtures/base-images.js';

const exec = promisify(execFile);

/** Whether the checks run as root (cgroup limits, a network namespace) or rootless. */
export const isRoot = process.getuid?.() === 0;

/** What the container should run, and how. */
export interface BundleOptions {
  args: string[];
  env?: string[];
  hostname?: string;
  /** process.terminal: the container gets a pseudo-terminal (docker's `Tty`). Default false. */
  terminal?: boolean;
  /** process.consoleSize: the terminal's size from the start. Default none. */
  consoleSize?: { height: number; width: number };
  /** Cgroup limits; only applied as root (rootless runc on cgroup v1 has no cgroups). */
  resources?: LinuxResources;
}

/** A bundle on disk. */
export interface Bundle {
  /** `<dir>/bundle`. */
  bundle: string;
  /** `<dir>/bundle/rootfs`, writable. */
  rootfs: string;
  config: Spec;
}

let applets: Promise<{ busybox: string; names: string[] }> | undefined;

/** The host's static busybox and its applet names, looked up once. */
function busyboxApplets(): Promise<{ busybox: string; names: string[] }> {
  applets ??= (async () => {
    const busybox = await findStaticBusybox();
    const { stdout } = await exec(busybox, ['--list']);
    const names = stdout.split('\n').map((a) => a.trim()).filter((a) => a !== '' && a !== 'busybox' && !a.includes('/'));
    return { busybox, names };
  })();
  return applets;
}

/**
 * Fills `rootfs` with the busybox tree of {@link makeBusyboxBundle} (binary, applet
 * links, /etc/passwd and /etc/group), for a check that writes its own config.json.
 * @throws when no static busybox is installed.
 */
export async function makeBusyboxRootfs(rootfs: string): Promise<void> {
  const { busybox, names } = await busyboxApplets();
  await stageRootfs(rootfs, busybox, names);
}

/**
 * Writes `<dir>/bundle` with a busybox rootfs and a config.json made by
 * `runc spec` (found on PATH) and patched with `options`.
 * @throws when runc or a static busybox is missing.
 */
export async function makeBusyboxBundle(dir: string, options: BundleOptions): Promise<Bundle> {
  const bundle = path.join(dir, 'bundle');
  const rootfs = path.join(bundle, 'rootfs');
  await fs.mkdir(bundle, { recursive: true });
  await makeBusyboxRootfs(rootfs);
  await exec('runc', ['spec', '--bundle', bundle, ...(isRoot ? [] : ['--rootless'])]);
  const config = JSON.parse(await fs.readFile(path.join(bundle, 'config.json'), 'utf8')) as Spec;
  if (!config.process || !config.root) throw new Error('runc spec wrote no process or root');
  config.process.terminal = options.terminal ?? false;
  if (options.consoleSize) config.process.consoleSize = options.consoleSize;
  config.process.args = options.args;
  config.process.env = ['PATH=/usr/sbin:/usr/bin:/sbin:/bin', ...(options.env ?? [])];
  config.root.readonly = false;
  config.hostname = options.hostname ?? 'runc-check';
  if (options.resources && isRoot) config.linux = { ...config.linux, resources: { ...config.linux?.resources, ...options.resources } };
  await fs.writeFile(path.join(bundle, 'config.json'), JSON.stringify(config, null, 2));
  return { bundle, rootfs, config };
}

/** The unified (v2) half of a hybrid cgroup host, where crun 1.x looks for controllers. */
const UNIFIED_CONTROLLERS = '/sys/fs/cgroup/unified/cgroup.controllers';

/**
 * The command that runs crun on this host. crun 1.x refuses "hybrid" hosts whose
 * cgroup v2 half holds controllers (as this workshop's reference VM does), even
 * when told not to manage cgroups. As root, the answer is a wrapper that runs
 * crun in a private mount namespace where that controllers file reads empty, so
 * crun takes its cgroup v1 path; nothing outside that namespace changes.
 * @returns `crun` where it runs as it is, the wrapper's path, or a reason to skip
 *   (a hybrid host without root, where no such namespace can be made).
 */
export async function crunCommand(dir: string): Promise<{ command: string } | { skip: string }> {
  const controllers = await fs.readFile(UNIFIED_CONTROLLERS, 'utf8').catch(() => '');
  if (controllers.trim() === '') return { command: 'crun' };
  if (!isRoot) return { skip: `crun 1.x refuses this hybrid cgroup host (controllers in ${UNIFIED_CONTROLLERS}); as root the check hides them from crun` };
  const wrapper = path.join(dir, 'crun-v1');
  await fs.writeFile(
    wrapper,
    `#!/bin/sh\nexec unshare --mount --propagation private sh -c 'mount --bind /dev/null ${UNIFIED_CONTROLLERS} && exec crun "$@"' crun "$@"\n`,
    { mode: 0o755 },
  );
  return { command: wrapper };
}
