/**
 * The doctor's diagnosis rules: pure functions from what is known about a
 * machine (`DoctorFacts`) to what the learner should hear about it (`Finding`).
 *
 * Nothing here touches the machine. The workshop tool probes the real host
 * (kata/doctor.ts) and hands the facts to these rules, so the same rules can
 * be checked against any machine one cares to describe: an old Node, a Mac,
 * a Fedora box without runc, a laptop with user namespaces switched off.
 * The types live in doctor/facts.ts.
 *
 * A finding is `ok`, `warn` (the workshop works, with a limitation worth
 * knowing) or `fail` (some lessons cannot pass until it is fixed). Every
 * `warn` and `fail` carries a `fix`: the exact command or step to take.
 */
import { NotImplementedError } from '../errors.js';
import type { CgroupLayout, Distro, Finding, DoctorFacts } from './facts.js';

/** The fixes the doctor prints; the checks pick the right one. */
export const FIXES = {
  node: 'install Node 20.6 or newer: nvm install 20 (22 and 24 work too)',
  nodeLts: 'switch to a long-term-support release: nvm install 22',
  linux: 'open the repo in its devcontainer (.devcontainer/) or in a Linux VM (WSL 2 on Windows)',
  sbinPath: 'export PATH="$PATH:/usr/local/sbin:/usr/sbin:/sbin" (add that line to ~/.profile)',
  runOnHost: 'fix the checks above first; otherwise see "If the doctor complains" in lessons/00-welcome/README.md',
  runInContainer: 'this machine is a container: start it with --privileged --cgroupns=host, as .devcontainer/ does',
  runAsRoot: 'run the workshop as root: sudo -E env "PATH=$PATH" npm start',
  maxUserNamespaces: 'sudo sysctl -w user.max_user_namespaces=15000 (or run the workshop as root)',
  usernsClone: 'sudo sysctl -w kernel.unprivileged_userns_clone=1 (or run the workshop as root)',
  cgroupMount: 'mount one as root: mount -t cgroup2 none /sys/fs/cgroup',
  cgroupDelegate: 'get a delegated cgroup: systemd-run --user --scope -p Delegate=yes npm start (or run as root)',
  cgroupV1Root: 'cgroup v1 cannot be handed to a user: run as root to use resource limits',
} as const;

/** The package that brings a statically linked busybox, per distribution. */
export const BUSYBOX_PACKAGE: Record<Distro, string> = {
  debian: 'busybox-static',
  ubuntu: 'busybox-static',
  fedora: 'busybox',
  rhel: 'busybox',
  arch: 'busybox',
  alpine: 'busybox-static',
  unknown: 'busybox-static',
};

/**
 * Checks the Node.js version: below 20.6 fails (`FIXES.node`), an odd major
 * (21, 23 …, not long-term support) warns (`FIXES.nodeLts`), 20.6+, 22 and 24 are ok.
 * A version that cannot be read fails like an old one.
 */
export function checkNode(f: DoctorFacts): Finding {
  // TODO(lesson-00): Read major and minor from f.nodeVersion and judge them as the TSDoc above says.
  // HINT: `/^v?(\d+)\.(\d+)\./.exec(f.nodeVersion)` captures both; `Number(match[1])` makes a number.
  // HINT: Order matters: too old (fail) first, then odd major (warn), then ok.
  throw new NotImplementedError('lesson-00: checkNode');
}

/** Checks the operating system: anything but Linux fails with `FIXES.linux`. */
export function checkLinux(f: DoctorFacts): Finding {
  // TODO(lesson-00): Pass on Linux and send every other platform to a Linux VM or devcontainer.
  // HINT: Compare f.platform with 'linux'; the fix is FIXES.linux.
  throw new NotImplementedError('lesson-00: checkLinux');
}

/**
 * The command that installs `packages` with the distribution's package manager:
 * `apt-get install -y …` (Debian, Ubuntu), `dnf install -y …` (Fedora, RHEL),
 * `pacman -S --needed --noconfirm …` (Arch), `apk add …` (Alpine). For an
 * unknown distribution, a sentence naming the packages.
 */
export function installCommand(distro: Distro, packages: string[]): string {
  // TODO(lesson-00): Build the install command of the distribution's package manager.
  // HINT: A switch over distro; Debian and Ubuntu share apt-get, Fedora and RHEL share dnf.
  throw new NotImplementedError('lesson-00: installCommand');
}

/**
 * Checks that runc is installed: missing fails with the distribution's install
 * command; found only outside PATH warns with `FIXES.sbinPath`; otherwise ok,
 * the summary naming runc's path.
 */
export function checkRunc(f: DoctorFacts): Finding {
  // TODO(lesson-00): Fail when runc is missing, warn when it is not on PATH, pass otherwise.
  // HINT: The fix for a missing runc is installCommand(f.distro, ['runc']).
  throw new NotImplementedError('lesson-00: checkRunc');
}

/**
 * Checks for a statically linked busybox (the base images are built from it, and
 * it must run inside an otherwise empty rootfs). Missing or not static (the summary
 * naming the binary) fails with the install command for `BUSYBOX_PACKAGE[distro]`.
 */
export function checkBusybox(f: DoctorFacts): Finding {
  // TODO(lesson-00): Fail when busybox is missing or not statically linked, naming the package to install.
  // HINT: BUSYBOX_PACKAGE[f.distro] is the package; treat an unknown isStatic like false.
  throw new NotImplementedError('lesson-00: checkBusybox');
}

/**
 * Checks who may run containers. Root is ok ("root" in the summary). Anyone else
 * needs user namespaces: none in the kernel fails (`FIXES.runAsRoot`),
 * `max_user_namespaces` of 0 fails (`FIXES.maxUserNamespaces`),
 * `unprivileged_userns_clone` off fails (`FIXES.usernsClone`); otherwise ok
 * ("rootless" in the summary).
 */
export function checkPrivileges(f: DoctorFacts): Finding {
  // TODO(lesson-00): Accept root, or a user whose kernel allows unprivileged user namespaces.
  // HINT: Check in order: uid 0, maxUserNamespaces undefined, 0, then unprivilegedUsernsClone === false.
  throw new NotImplementedError('lesson-00: checkPrivileges');
}

/**
 * Names the cgroup layout: a cgroup2 mount plus v1 controllers is `hybrid`,
 * cgroup2 alone `v2`, v1 controllers alone `v1`, nothing mounted `none`.
 */
export function cgroupLayout(c: DoctorFacts['cgroup']): CgroupLayout {
  // TODO(lesson-00): Name the layout from the cgroup2 mount and the v1 controllers.
  throw new NotImplementedError('lesson-00: cgroupLayout');
}

/**
 * Describes the cgroups, the summary naming the layout. Containers run without
 * them, so this check never fails: mounted and writable is ok; not writable warns
 * (v2: `FIXES.cgroupDelegate`, v1 or hybrid: `FIXES.cgroupV1Root`); nothing
 * mounted warns (`FIXES.cgroupMount`).
 */
export function checkCgroups(f: DoctorFacts): Finding {
  // TODO(lesson-00): Describe the layout and warn (never fail) when limits are unavailable.
  // HINT: Start with cgroupLayout(f.cgroup); f.cgroup.writable decides between ok and warn.
  throw new NotImplementedError('lesson-00: checkCgroups');
}

/**
 * Reports the test container: ran is ok; failed is a fail whose summary includes
 * `runError` (fix: `FIXES.runInContainer` inside a container, else `FIXES.runOnHost`);
 * not tried (runc or a static busybox missing) is a warn pointing at the checks above.
 */
export function checkRuncRun(f: DoctorFacts): Finding {
  // TODO(lesson-00): Report the test container: ran, failed (with runc's error) or not tried.
  // HINT: f.runc.runOk is true, false or undefined; f.inContainer picks the fix of a failure.
  throw new NotImplementedError('lesson-00: checkRuncRun');
}

/**
 * Runs every check, in this order: node, linux, runc, busybox, privileges,
 * cgroups, runc-run (the test container last: it proves the others).
 */
export function diagnose(f: DoctorFacts): Finding[] {
  // TODO(lesson-00): Run every check in the documented order and return their findings.
  throw new NotImplementedError('lesson-00: diagnose');
}
