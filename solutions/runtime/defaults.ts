/**
 * Provided: docker's defaults as data, which lesson 10's bundle starts from.
 *
 * docker's defaults for a Linux container, as data. Every value here is what
 * dockerd puts into a container's runtime-spec `config.json` when `docker run`
 * asks for nothing special (moby's `oci.DefaultLinuxSpec` and
 * `caps.DefaultCapabilities`, docker 28); lesson 10's `buildSpec` copies them
 * into each spec. Also where the host keeps docker's `--init` binary.
 */
import { accessSync, constants, statSync } from 'node:fs';
import path from 'node:path';

/**
 * The capabilities a docker container keeps, the same list in the bounding,
 * effective and permitted sets (docker's `caps.DefaultCapabilities()`). Every
 * other capability, CAP_SYS_ADMIN first of all, is dropped. docker leaves the
 * inheritable and ambient sets empty, so a process that execs a program loses
 * its capabilities unless it is root inside the container.
 */
export const DEFAULT_CAPABILITIES: readonly string[] = [
  'CAP_CHOWN',
  'CAP_DAC_OVERRIDE',
  'CAP_FSETID',
  'CAP_FOWNER',
  'CAP_MKNOD',
  'CAP_NET_RAW',
  'CAP_SETGID',
  'CAP_SETUID',
  'CAP_SETFCAP',
  'CAP_SETPCAP',
  'CAP_NET_BIND_SERVICE',
  'CAP_SYS_CHROOT',
  'CAP_KILL',
  'CAP_AUDIT_WRITE',
];

/**
 * Paths the runtime hides inside the container (docker's default
 * `linux.maskedPaths`): runc bind-mounts /dev/null over a file and an empty
 * read-only tmpfs over a directory. They leak host details (kernel memory,
 * keys, timers, interrupt counts, power readings) or offer host controls.
 * docker also masks each CPU's `thermal_throttle` directory when the host has
 * one; the workshop leaves those out, as they differ from host to host.
 */
export const MASKED_PATHS: readonly string[] = [
  '/proc/acpi',
  '/proc/asound',
  '/proc/interrupts',
  '/proc/kcore',
  '/proc/keys',
  '/proc/latency_stats',
  '/proc/sched_debug',
  '/proc/scsi',
  '/proc/timer_list',
  '/proc/timer_stats',
  '/sys/devices/virtual/powercap',
  '/sys/firmware',
];

/**
 * Paths the runtime remounts read-only inside the container (docker's default
 * `linux.readonlyPaths`): kernel settings under /proc that a container could
 * otherwise change for the whole host, such as /proc/sys and /proc/sysrq-trigger.
 */
export const READONLY_PATHS: readonly string[] = ['/proc/bus', '/proc/fs', '/proc/irq', '/proc/sys', '/proc/sysrq-trigger'];

/**
 * The `PATH` a container gets when its image sets none (docker's
 * `system.DefaultPathEnv("linux")`).
 */
export const DEFAULT_PATH_ENV = '/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin';

/**
 * The open-files limit (`RLIMIT_NOFILE`, soft = hard) a docker container
 * usually gets: the kernel's default `fs.nr_open`, 1048576. dockerd's service
 * unit long set `LimitNOFILE=infinity`, which systemd turns into that value,
 * and containers inherit the daemon's limits. A process without
 * CAP_SYS_RESOURCE cannot raise its hard limit, so a container gets the
 * smaller of this and the host's hard limit.
 */
export const DEFAULT_RLIMIT_NOFILE = 1048576;

/**
 * Where `--init` puts the init inside the container (docker's `/sbin/docker-init`):
 * the host's binary is bind-mounted read-only there and runs the command as its child.
 */
export const CONTAINER_INIT_PATH = '/sbin/docker-init';

/**
 * The host path of a static docker-init, the `SpecOptions.init` of `--init`: the
 * first `docker-init` on PATH (what dockerd looks up), else `/usr/bin/tini-static`
 * (Debian's tini package), else `/usr/bin/docker-init`. Undefined when none is an
 * executable file. It must be static, because it runs in the container's rootfs
 * with none of the host's libraries; tini-static and docker's docker-init are.
 */
export function findInit(): string | undefined {
  const onPath = (process.env.PATH ?? '').split(':').filter((dir) => path.isAbsolute(dir)).map((dir) => path.join(dir, 'docker-init'));
  return [...onPath, '/usr/bin/tini-static', '/usr/bin/docker-init'].find(isExecutableFile);
}

function isExecutableFile(file: string): boolean {
  try {
    accessSync(file, constants.X_OK);
    return statSync(file).isFile();
  } catch {
    return false;
  }
}
