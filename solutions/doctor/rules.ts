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
  const match = /^v?(\d+)\.(\d+)\./.exec(f.nodeVersion);
  if (!match) {
    return { check: 'node', status: 'fail', summary: `cannot read the Node version "${f.nodeVersion}"`, fix: FIXES.node };
  }
  const major = Number(match[1]);
  const minor = Number(match[2]);
  // 20.6 is the first release with module.register(), which loads the TypeScript sources.
  if (major < 20 || (major === 20 && minor < 6)) {
    const summary = `Node ${f.nodeVersion} is too old: the workshop needs 20.6 or newer`;
    return { check: 'node', status: 'fail', summary, fix: FIXES.node };
  }
  if (major % 2 === 1) {
    const summary = `Node ${f.nodeVersion} works, but only 20, 22 and 24 are tested`;
    return { check: 'node', status: 'warn', summary, fix: FIXES.nodeLts };
  }
  return { check: 'node', status: 'ok', summary: `Node ${f.nodeVersion}` };
}

/** Checks the operating system: anything but Linux fails with `FIXES.linux`. */
export function checkLinux(f: DoctorFacts): Finding {
  if (f.platform === 'linux') return { check: 'linux', status: 'ok', summary: `Linux on ${f.arch}` };
  return {
    check: 'linux',
    status: 'fail',
    summary: `this is ${f.platform}, not Linux: containers are built from Linux namespaces and cgroups`,
    fix: FIXES.linux,
  };
}

/**
 * The command that installs `packages` with the distribution's package manager:
 * `apt-get install -y …` (Debian, Ubuntu), `dnf install -y …` (Fedora, RHEL),
 * `pacman -S --needed --noconfirm …` (Arch), `apk add …` (Alpine). For an
 * unknown distribution, a sentence naming the packages.
 */
export function installCommand(distro: Distro, packages: string[]): string {
  const list = packages.join(' ');
  switch (distro) {
    case 'debian':
    case 'ubuntu':
      return `apt-get install -y ${list}`;
    case 'fedora':
    case 'rhel':
      return `dnf install -y ${list}`;
    case 'arch':
      return `pacman -S --needed --noconfirm ${list}`;
    case 'alpine':
      return `apk add ${list}`;
    default:
      return `install ${list} with your package manager`;
  }
}

/**
 * Checks that runc is installed: missing fails with the distribution's install
 * command; found only outside PATH warns with `FIXES.sbinPath`; otherwise ok,
 * the summary naming runc's path.
 */
export function checkRunc(f: DoctorFacts): Finding {
  const { path, onPath, version } = f.runc;
  if (path === undefined) {
    return {
      check: 'runc',
      status: 'fail',
      summary: 'runc is not installed: it is the program that creates containers',
      fix: installCommand(f.distro, ['runc']),
    };
  }
  const name = `runc ${version ?? '(version unknown)'} at ${path}`;
  if (onPath === false) {
    return { check: 'runc', status: 'warn', summary: `${name}: that folder is not on your PATH`, fix: FIXES.sbinPath };
  }
  return { check: 'runc', status: 'ok', summary: name };
}

/**
 * Checks for a statically linked busybox (the base images are built from it, and
 * it must run inside an otherwise empty rootfs). Missing or not static (the summary
 * naming the binary) fails with the install command for `BUSYBOX_PACKAGE[distro]`.
 */
export function checkBusybox(f: DoctorFacts): Finding {
  const { path, isStatic } = f.busybox;
  const fix = installCommand(f.distro, [BUSYBOX_PACKAGE[f.distro]]);
  if (path === undefined) {
    return { check: 'busybox', status: 'fail', summary: 'busybox is not installed: the base images are built from it', fix };
  }
  if (isStatic !== true) {
    return {
      check: 'busybox',
      status: 'fail',
      summary: `${path} is not statically linked: it must run alone inside an empty container rootfs`,
      fix,
    };
  }
  return { check: 'busybox', status: 'ok', summary: `static busybox at ${path}` };
}

/**
 * Checks who may run containers. Root is ok ("root" in the summary). Anyone else
 * needs user namespaces: none in the kernel fails (`FIXES.runAsRoot`),
 * `max_user_namespaces` of 0 fails (`FIXES.maxUserNamespaces`),
 * `unprivileged_userns_clone` off fails (`FIXES.usernsClone`); otherwise ok
 * ("rootless" in the summary).
 */
export function checkPrivileges(f: DoctorFacts): Finding {
  if (f.uid === 0) return { check: 'privileges', status: 'ok', summary: 'root: containers run rootful' };
  const { maxUserNamespaces, unprivilegedUsernsClone } = f.userns;
  if (maxUserNamespaces === undefined) {
    const summary = 'this kernel has no user namespaces, so only root can run containers';
    return { check: 'privileges', status: 'fail', summary, fix: FIXES.runAsRoot };
  }
  if (maxUserNamespaces <= 0) {
    const summary = 'user namespaces are switched off (user.max_user_namespaces = 0)';
    return { check: 'privileges', status: 'fail', summary, fix: FIXES.maxUserNamespaces };
  }
  // The knob exists only on Debian-family kernels; absent means allowed.
  if (unprivilegedUsernsClone === false) {
    return {
      check: 'privileges',
      status: 'fail',
      summary: 'unprivileged user namespaces are switched off (kernel.unprivileged_userns_clone = 0)',
      fix: FIXES.usernsClone,
    };
  }
  return { check: 'privileges', status: 'ok', summary: `rootless as uid ${f.uid}: user namespaces are enabled` };
}

/**
 * Names the cgroup layout: a cgroup2 mount plus v1 controllers is `hybrid`,
 * cgroup2 alone `v2`, v1 controllers alone `v1`, nothing mounted `none`.
 */
export function cgroupLayout(c: DoctorFacts['cgroup']): CgroupLayout {
  const v1 = c.v1Controllers.length > 0;
  if (c.v2Mounted) return v1 ? 'hybrid' : 'v2';
  return v1 ? 'v1' : 'none';
}

/**
 * Describes the cgroups, the summary naming the layout. Containers run without
 * them, so this check never fails: mounted and writable is ok; not writable warns
 * (v2: `FIXES.cgroupDelegate`, v1 or hybrid: `FIXES.cgroupV1Root`); nothing
 * mounted warns (`FIXES.cgroupMount`).
 */
export function checkCgroups(f: DoctorFacts): Finding {
  const layout = cgroupLayout(f.cgroup);
  if (layout === 'none') {
    const summary = 'no cgroups are mounted: containers run, but without resource limits';
    return { check: 'cgroups', status: 'warn', summary, fix: FIXES.cgroupMount };
  }
  // On a hybrid host the limits live in the v1 hierarchies, as with runc and dockerd.
  const controllers = layout === 'v2' ? f.cgroup.v2Controllers : f.cgroup.v1Controllers;
  const described = `cgroup ${layout} (${controllers.join(' ') || 'no controllers'})`;
  if (f.cgroup.writable) return { check: 'cgroups', status: 'ok', summary: `${described}: resource limits available` };
  return {
    check: 'cgroups',
    status: 'warn',
    summary: `${described} is not writable for you: containers run, but without resource limits`,
    fix: layout === 'v2' ? FIXES.cgroupDelegate : FIXES.cgroupV1Root,
  };
}

/**
 * Reports the test container: ran is ok; failed is a fail whose summary includes
 * `runError` (fix: `FIXES.runInContainer` inside a container, else `FIXES.runOnHost`);
 * not tried (runc or a static busybox missing) is a warn pointing at the checks above.
 */
export function checkRuncRun(f: DoctorFacts): Finding {
  const { runOk, runError } = f.runc;
  if (runOk === true) {
    const summary = `a test container ran /bin/true (${f.uid === 0 ? 'as root' : 'rootless'})`;
    return { check: 'runc-run', status: 'ok', summary };
  }
  if (runOk === false) {
    return {
      check: 'runc-run',
      status: 'fail',
      summary: `runc could not run a test container: ${runError ?? 'it gave no reason'}`,
      fix: f.inContainer ? FIXES.runInContainer : FIXES.runOnHost,
    };
  }
  const summary = 'no test container was tried: that needs runc and a static busybox';
  return { check: 'runc-run', status: 'warn', summary, fix: FIXES.runOnHost };
}

/**
 * Runs every check, in this order: node, linux, runc, busybox, privileges,
 * cgroups, runc-run (the test container last: it proves the others).
 */
export function diagnose(f: DoctorFacts): Finding[] {
  const checks = [checkNode, checkLinux, checkRunc, checkBusybox, checkPrivileges, checkCgroups, checkRuncRun];
  return checks.map((check) => check(f));
}
