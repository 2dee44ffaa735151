/**
 * Lesson 10 — runtime: bundle. The pure parts (argv, environment, spec) are
 * checked as data, the spec also against the OCI runtime-spec JSON schema;
 * users are looked up in small account files written here; the rootfs checks
 * copy real directories in a temp dir, and mount an overlay with the command
 * overlayMountArgs returns (as the shim does when a container starts); as
 * root, the last check runs specs of buildSpec through runc.
 *
 * ```
 * <tmp>/
 * ├── host/passwd, group   outside every rootfs: must never be read
 * ├── rootfs/etc/…         account files of the user checks
 * ├── lower/               an image's tree: never modified
 * ├── c/                   a container dir: upper/, work/, bundle/{config.json,rootfs/}
 * ├── busybox/             the runc check's rootfs (busybox, etc/group with staff)
 * ├── dl10-<hex>/          one bundle per container: config.json from buildSpec
 * └── runtime/             runc's --root
 * ```
 * Mounts under <tmp> are unmounted in afterEach by the checks' test scope,
 * whatever the code under test did; containers are deleted, and the marker
 * file the runc check puts in the host's /dev/shm is removed.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { execFile, execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { readlinkSync, watch } from 'node:fs';
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { resolveArgs, mergeEnv } from '#kata/runtime/process-config.js';
import { resolveGroups, resolveUser } from '#kata/runtime/user.js';
import type { ResolvedUser } from '#kata/runtime/user.js';
import { buildSpec, writeBundle } from '#kata/runtime/bundle.js';
import type { SpecOptions } from '#kata/runtime/bundle.js';
import { defaultRootfsMode, overlayMountArgs, prepareRootfs, removeRootfs } from '#kata/runtime/rootfs.js';
import { DEFAULT_CAPABILITIES, DEFAULT_PATH_ENV, MASKED_PATHS, READONLY_PATHS } from '#kata/runtime/defaults.js';
import type { Mount, Spec } from '#kata/runtime/spec.js';
import { InvalidParameterError } from '#kata/errdefs.js';
import { describeError, rejectionOf } from '../support/outcomes.js';
import { runtimeSchema, specValidator } from '../support/runtime-schema.js';
import { mountPoints } from '../../fixtures/host-state.js';
import { isRoot, makeBusyboxRootfs } from '../support/runc-bundle.js';
import { initPrerequisite, prerequisite, requireTool } from '../support/prereq.js';
import { TestScope } from '../support/scope.js';

const exec = promisify(execFile);

const ARGS = 'src/runtime/process-config.ts (resolveArgs)';
const ENV = 'src/runtime/process-config.ts (mergeEnv)';
const USER = 'src/runtime/user.ts (resolveUser)';
const USER_WALK = 'src/runtime/user.ts (resolveInRootfs)';
const GROUPS = 'src/runtime/user.ts (resolveGroups)';
const SPEC = 'src/runtime/bundle.ts (buildSpec)';
const MOUNTS = 'src/runtime/bundle.ts (mounts)';
const LINUX = 'src/runtime/bundle.ts (linux)';
const RESOURCES = 'src/runtime/bundle.ts (resources)';
const WRITE = 'src/runtime/bundle.ts (writeBundle)';
const MODES = 'src/runtime/host-config.ts (hostModes)';
const HOST_CONFIG = 'src/runtime/bundle.ts (buildSpec): it must end with applyHostConfig(spec, options), given in src/runtime/host-config.ts';
const ROOTFS = 'src/runtime/rootfs.ts';

const NOT_ROOT = 'overlayfs needs root: this check runs only as root (the copy check covers rootless)';
const NOT_ROOT_RUNC = "the host's namespaces and a spec with cgroups need root: this check runs only as root (the spec checks cover rootless)";

const runcTool = prerequisite('runc', 'apt-get install runc');
const initTool = initPrerequisite();

const scope = new TestScope();
let tmp = '';

beforeEach(async () => {
  tmp = await scope.tempDir('dockerlings-10-');
});

// Unmounts what is mounted below <tmp> (deepest first, lazily when busy), then removes it.
afterEach(() => scope.cleanup());

// ---------------------------------------------------------------- fixtures

const PASSWD = ['root:x:0:0:root:/root:/bin/sh', 'daemon:x:1:1::/:/bin/false', 'app:x:1000:1001:App:/home/app:/bin/sh', ''].join('\n');
const GROUP = ['root:x:0:', 'wheel:x:10:root', 'tty:x:5:app', 'app:x:1001:', 'staff:x:50:app,other', ''].join('\n');

/** A rootfs with etc/passwd and etc/group, in <tmp>/<name>. */
async function accountsRootfs(name = 'rootfs', passwd = PASSWD, group = GROUP): Promise<string> {
  const rootfs = path.join(tmp, name);
  await fs.mkdir(path.join(rootfs, 'etc'), { recursive: true });
  await fs.writeFile(path.join(rootfs, 'etc', 'passwd'), passwd);
  await fs.writeFile(path.join(rootfs, 'etc', 'group'), group);
  return rootfs;
}

const ROOT_USER: ResolvedUser = { uid: 0, gid: 0, additionalGids: [] };

function options(extra: Partial<SpecOptions> = {}): SpecOptions {
  return {
    rootfs: '/var/lib/minidocker/containers/abc/bundle/rootfs',
    args: ['sh', '-c', 'echo hi'],
    env: [`PATH=${DEFAULT_PATH_ENV}`, 'HOSTNAME=abc', 'A=1'],
    cwd: '',
    user: ROOT_USER,
    hostname: 'abc',
    terminal: false,
    networkMode: 'none',
    hostNofileLimit: 20000,
    ...extra,
  };
}

function mountAt(spec: Spec, destination: string): Mount | undefined {
  return spec.mounts?.find((m) => m.destination === destination);
}

/** The image's tree of the rootfs checks: a file, an executable, a symlink, a directory. */
async function imageTree(): Promise<string> {
  const lower = path.join(tmp, 'lower');
  await fs.mkdir(path.join(lower, 'etc'), { recursive: true });
  await fs.mkdir(path.join(lower, 'bin'));
  await fs.writeFile(path.join(lower, 'etc', 'motd'), 'from the image\n');
  await fs.writeFile(path.join(lower, 'bin', 'tool'), '#!/bin/sh\n', { mode: 0o750 });
  await fs.chmod(path.join(lower, 'bin', 'tool'), 0o750);
  await fs.symlink('tool', path.join(lower, 'bin', 'alias'));
  await fs.utimes(path.join(lower, 'etc', 'motd'), new Date('2020-01-02T03:04:05Z'), new Date('2020-01-02T03:04:05Z'));
  return lower;
}

/** name → "type mode size content|target" of every entry under dir, to compare trees. */
async function snapshot(dir: string): Promise<Record<string, string>> {
  const out: Record<string, string> = {};
  for (const entry of await fs.readdir(dir, { recursive: true })) {
    const full = path.join(dir, entry);
    const st = await fs.lstat(full);
    const kind = st.isSymbolicLink() ? `link ${await fs.readlink(full)}` : st.isDirectory() ? 'dir' : `file ${await fs.readFile(full, 'utf8')}`;
    out[entry] = `${(st.mode & 0o7777).toString(8)} ${kind}`;
  }
  return out;
}

async function exists(p: string): Promise<boolean> {
  return fs.lstat(p).then(
    () => true,
    () => false,
  );
}

/**
 * Runs `script` in a container whose config.json is buildSpec's (options() plus
 * `extra`), with `runc run` in the foreground, and returns what it printed as
 * `key rest-of-line` pairs, or runc's error as `{ error }`.
 */
async function runcRun(runc: string, rootfs: string, script: string, extra: Partial<SpecOptions>): Promise<Record<string, string>> {
  const id = `dl10-${randomBytes(4).toString('hex')}`;
  const root = path.join(tmp, 'runtime');
  const bundle = path.join(tmp, id);
  await fs.mkdir(bundle, { recursive: true });
  const spec = buildSpec(options({ rootfs, args: ['sh', '-c', script], env: [`PATH=${DEFAULT_PATH_ENV}`], ...extra }));
  await fs.writeFile(path.join(bundle, 'config.json'), JSON.stringify(spec, null, 2));
  scope.container(runc, root, id);
  try {
    const { stdout } = await exec(runc, ['--root', root, 'run', '--bundle', bundle, id], { timeout: 30_000 });
    return Object.fromEntries(stdout.split('\n').filter((l) => l !== '').map((l) => [l.split(' ')[0], l.slice(l.indexOf(' ') + 1)]));
  } catch (err) {
    return { error: String((err as { stderr?: string }).stderr || err).trim() };
  }
}

// ---------------------------------------------------------------- the checks

describe('lesson 10: runtime bundle', () => {
  it("the command is Entrypoint then Cmd, with docker's override rules", () => {
    const image = { Entrypoint: ['/entry.sh'], Cmd: ['serve', '--port', '80'] };
    expect(resolveArgs(image), `nothing given: the image's Entrypoint + Cmd. Look at ${ARGS}`).toEqual(['/entry.sh', 'serve', '--port', '80']);
    expect(resolveArgs(image, null, ['debug']), `a create Cmd replaces only the image's Cmd. Look at ${ARGS}`).toEqual(['/entry.sh', 'debug']);
    expect(resolveArgs(image, ['/bin/sh'], null), `a create Entrypoint drops the image's Cmd too. Look at ${ARGS}`).toEqual(['/bin/sh']);
    expect(resolveArgs(image, ['/bin/sh', '-c'], ['ls']), `create Entrypoint + create Cmd. Look at ${ARGS}`).toEqual(['/bin/sh', '-c', 'ls']);
    expect(resolveArgs(image, [''], ['ls', '-l']), `Entrypoint [""] (docker run --entrypoint "") means no entrypoint. Look at ${ARGS}`).toEqual(['ls', '-l']);
    expect(resolveArgs({ Cmd: ['sh'] }, undefined, []), `an empty create Cmd keeps the image's Cmd. Look at ${ARGS}`).toEqual(['sh']);
    for (const [label, run] of [
      ['no image config and nothing given', () => resolveArgs(undefined)],
      ['Entrypoint [""] and no Cmd', () => resolveArgs(image, [''], null)],
    ] as const) {
      let err: unknown = new Error('(returned without an error)');
      try {
        run();
      } catch (e) {
        err = e;
      }
      expect(err instanceof InvalidParameterError && err.message === 'no command specified', `${label}: expected InvalidParameterError('no command specified'), got ${describeError(err)}. Look at ${ARGS}`).toBe(true);
    }
  });

  it("the environment has PATH and HOSTNAME first and the create Env overrides the image's", () => {
    expect(mergeEnv(undefined, undefined, 'abc'), `no Env anywhere: PATH=<DEFAULT_PATH_ENV>, then HOSTNAME. Look at ${ENV}`).toEqual([`PATH=${DEFAULT_PATH_ENV}`, 'HOSTNAME=abc']);
    const merged = mergeEnv(['PATH=/opt/bin:/bin', 'A=1', 'LANG=C'], ['A=2', 'B=3'], 'web');
    expect(merged, `the image's PATH replaces the default in first place, the create Env overrides A and adds B. Look at ${ENV}`).toEqual([
      'PATH=/opt/bin:/bin',
      'HOSTNAME=web',
      'A=2',
      'B=3',
      'LANG=C',
    ]);
    expect(mergeEnv(['A=1', 'KEEP=1'], ['A'], 'web'), `a create entry without "=" removes the variable. Look at ${ENV}`).toEqual([
      `PATH=${DEFAULT_PATH_ENV}`,
      'HOSTNAME=web',
      'KEEP=1',
    ]);
    expect(mergeEnv(['X=a=b'], null, 'h'), `values may contain "=": only the first one splits. Look at ${ENV}`).toContain('X=a=b');
  });

  it("users resolve by name, uid, name:group and uid:gid from the image's passwd and group files", async () => {
    const rootfs = await accountsRootfs();
    const cases: Array<[string | undefined, ResolvedUser]> = [
      [undefined, { uid: 0, gid: 0, additionalGids: [10] }],
      ['', { uid: 0, gid: 0, additionalGids: [10] }],
      ['app', { uid: 1000, gid: 1001, additionalGids: [5, 50] }],
      ['1000', { uid: 1000, gid: 1001, additionalGids: [5, 50] }],
      ['4242', { uid: 4242, gid: 0, additionalGids: [] }],
      ['app:staff', { uid: 1000, gid: 50, additionalGids: [] }],
      ['1000:77', { uid: 1000, gid: 77, additionalGids: [] }],
      ['daemon:app', { uid: 1, gid: 1001, additionalGids: [] }],
    ];
    for (const [spec, expected] of cases) {
      const got = await resolveUser(rootfs, spec).catch((err: unknown) => describeError(err));
      expect(
        got,
        `--user ${JSON.stringify(spec)}: uid and primary gid from passwd (a number needs no entry, gid 0 then), an explicit group replaces the gid, and without one additionalGids are the groups listing the user. Look at ${USER}`,
      ).toEqual(expected);
    }
  });

  it("an unknown user or group name is refused with docker's message", async () => {
    const rootfs = await accountsRootfs();
    const user = await rejectionOf(resolveUser(rootfs, 'nosuch'));
    expect(user instanceof InvalidParameterError, `an unknown name is an InvalidParameterError (HTTP 400), got ${describeError(user)}. Look at ${USER}`).toBe(true);
    expect((user as Error).message, `docker's message. Look at ${USER}`).toBe('unable to find user nosuch: no matching entries in passwd file');
    const group = await rejectionOf(resolveUser(rootfs, 'app:nogroup'));
    expect(group instanceof InvalidParameterError, `an unknown group name is an InvalidParameterError, got ${describeError(group)}. Look at ${USER}`).toBe(true);
    expect((group as Error).message, `docker's message. Look at ${USER}`).toBe('unable to find group nogroup: no matching entries in group file');
    const empty = path.join(tmp, 'empty');
    await fs.mkdir(empty);
    expect(await resolveUser(empty, '123').catch(describeError), `without account files a numeric user still works. Look at ${USER}`).toEqual({
      uid: 123,
      gid: 0,
      additionalGids: [],
    });
  });

  it("account files are read inside the rootfs: a symlink never leads to the host's files", async () => {
    await fs.mkdir(path.join(tmp, 'host'));
    const hostPasswd = path.join(tmp, 'host', 'passwd');
    await fs.writeFile(hostPasswd, 'evil:x:4242:4242::/:/bin/sh\n');
    for (const [name, target] of [
      ['abs', hostPasswd],
      ['rel', '../../host/passwd'],
      ['deep', '../../../../../../../../..' + hostPasswd],
    ] as const) {
      const rootfs = await accountsRootfs(name);
      await fs.rm(path.join(rootfs, 'etc', 'passwd'));
      await fs.symlink(target, path.join(rootfs, 'etc', 'passwd'));
      const result = await resolveUser(rootfs, 'evil').then(
        (u) => `resolved to ${JSON.stringify(u)}`,
        (err: unknown) => (err instanceof InvalidParameterError ? 'refused' : describeError(err)),
      );
      expect(result, `etc/passwd → ${target} was followed out of the rootfs onto the host. Inside a container "/" and ".." stop at the rootfs. Look at ${USER_WALK}`).toBe('refused');
    }
    // A symlink that stays inside, written as the container sees it, must work.
    const rootfs = await accountsRootfs('inside');
    await fs.mkdir(path.join(rootfs, 'lib'));
    await fs.writeFile(path.join(rootfs, 'lib', 'passwd'), 'svc:x:300:301::/:/bin/sh\n');
    await fs.rm(path.join(rootfs, 'etc', 'passwd'));
    await fs.symlink('/lib/passwd', path.join(rootfs, 'etc', 'passwd'));
    expect(await resolveUser(rootfs, 'svc').catch(describeError), `etc/passwd → /lib/passwd means <rootfs>/lib/passwd. Look at ${USER_WALK}`).toEqual({
      uid: 300,
      gid: 301,
      additionalGids: [],
    });
  });

  it("--group-add takes gids as they are and looks names up in the image's group file", async () => {
    const rootfs = await accountsRootfs();
    expect(
      await resolveGroups(rootfs, ['staff', '4242', 'wheel', '50', 'staff']).catch(describeError),
      `names become gids from etc/group (staff 50, wheel 10), numbers stay as they are (4242 needs no entry), each gid once, in the order asked. Look at ${GROUPS}`,
    ).toEqual([50, 4242, 10]);
    expect(await resolveGroups(rootfs, []).catch(describeError), `no --group-add: no gids. Look at ${GROUPS}`).toEqual([]);
    const unknown = await rejectionOf(resolveGroups(rootfs, ['staff', 'nosuch']));
    expect(unknown instanceof InvalidParameterError, `an unknown group name is an InvalidParameterError (HTTP 400), got ${describeError(unknown)}. Look at ${GROUPS}`).toBe(true);
    expect((unknown as Error).message, `docker's message for --group-add. Look at ${GROUPS}`).toBe('Unable to find group nosuch: no matching entries in group file');
    await fs.mkdir(path.join(tmp, 'host'));
    const hostGroup = path.join(tmp, 'host', 'group');
    await fs.writeFile(hostGroup, 'evil:x:4242:\n');
    const linked = await accountsRootfs('linked');
    await fs.rm(path.join(linked, 'etc', 'group'));
    await fs.symlink(hostGroup, path.join(linked, 'etc', 'group'));
    const evil = await resolveGroups(linked, ['evil']).then(
      (gids) => `resolved to ${JSON.stringify(gids)}`,
      (err: unknown) => (err instanceof InvalidParameterError ? 'refused' : describeError(err)),
    );
    expect(evil, `etc/group → ${hostGroup} was followed out of the rootfs onto the host: read it with readInRootfs. Look at ${GROUPS}`).toBe('refused');
  });

  it('the process, root and hostname come from the options', () => {
    const user = { uid: 1000, gid: 1001, additionalGids: [5, 50] };
    const spec = buildSpec(options({ user, terminal: true, cwd: '', hostname: 'web' }));
    expect(spec.ociVersion, `ociVersion: OCI_VERSION from spec.ts. Look at ${SPEC}`).toBe('1.0.2');
    expect(spec.process?.args, `process.args. Look at ${SPEC}`).toEqual(['sh', '-c', 'echo hi']);
    expect(spec.process?.env, `process.env, as given. Look at ${SPEC}`).toEqual([`PATH=${DEFAULT_PATH_ENV}`, 'HOSTNAME=abc', 'A=1']);
    expect(spec.process?.cwd, `an empty WorkingDir means "/". Look at ${SPEC}`).toBe('/');
    expect(buildSpec(options({ cwd: '/srv' })).process?.cwd, `process.cwd. Look at ${SPEC}`).toBe('/srv');
    expect(spec.process?.user, `process.user: uid, gid and additionalGids. Look at ${SPEC}`).toEqual(user);
    expect(spec.process?.terminal, `process.terminal. Look at ${SPEC}`).toBe(true);
    expect(spec.process?.consoleSize, `no consoleSize unless one is given. Look at ${SPEC}`).toBeUndefined();
    const sized = buildSpec(options({ terminal: true, consoleSize: { height: 33, width: 120 } }));
    expect(sized.process?.consoleSize, `process.consoleSize from the options (docker's ConsoleSize), so the terminal has its size from the start. Look at ${SPEC}`).toEqual({ height: 33, width: 120 });
    expect(buildSpec(options({ terminal: false, consoleSize: { height: 33, width: 120 } })).process?.consoleSize, `no consoleSize without a terminal. Look at ${SPEC}`).toBeUndefined();
    expect(spec.process?.noNewPrivileges ?? false, `docker's default leaves noNewPrivileges false (setuid binaries work). Look at ${SPEC}`).toBe(false);
    expect(spec.root, `root: the rootfs path, writable. Look at ${SPEC}`).toEqual({ path: options().rootfs, readonly: false });
    expect(spec.hostname, `hostname. Look at ${SPEC}`).toBe('web');
  });

  it("the spec has docker's capabilities, masked paths, read-only paths and mounts", () => {
    const spec = buildSpec(options());
    const caps = spec.process?.capabilities;
    for (const set of ['bounding', 'effective', 'permitted'] as const) {
      expect([...(caps?.[set] ?? [])].sort(), `capabilities.${set}: docker's 14 (DEFAULT_CAPABILITIES). Look at ${SPEC}`).toEqual([...DEFAULT_CAPABILITIES].sort());
    }
    expect([...(caps?.inheritable ?? []), ...(caps?.ambient ?? [])], `docker leaves the inheritable and ambient sets empty. Look at ${SPEC}`).toEqual([]);
    expect(spec.linux?.maskedPaths, `linux.maskedPaths: MASKED_PATHS. Look at ${LINUX}`).toEqual([...MASKED_PATHS]);
    expect(spec.linux?.readonlyPaths, `linux.readonlyPaths: READONLY_PATHS. Look at ${LINUX}`).toEqual([...READONLY_PATHS]);
    const expected: Array<[string, string, string[]]> = [
      ['/proc', 'proc', ['nosuid', 'noexec', 'nodev']],
      ['/dev', 'tmpfs', ['nosuid', 'strictatime', 'mode=755', 'size=65536k']],
      ['/dev/pts', 'devpts', ['nosuid', 'noexec', 'newinstance', 'ptmxmode=0666', 'mode=0620', 'gid=5']],
      ['/sys', 'sysfs', ['nosuid', 'noexec', 'nodev', 'ro']],
      ['/sys/fs/cgroup', 'cgroup', ['ro', 'nosuid', 'noexec', 'nodev']],
      ['/dev/mqueue', 'mqueue', ['nosuid', 'noexec', 'nodev']],
      ['/dev/shm', 'tmpfs', ['nosuid', 'noexec', 'nodev', 'mode=1777', 'size=65536k']],
    ];
    for (const [destination, type, opts] of expected) {
      const m = mountAt(spec, destination);
      expect(m?.type, `a ${type} mount on ${destination}. Look at ${MOUNTS}`).toBe(type);
      expect([...(m?.options ?? [])].sort(), `the options of ${destination}. Look at ${MOUNTS}`).toEqual([...opts].sort());
    }
    const order = (spec.mounts ?? []).map((m) => m.destination);
    for (const inner of ['/dev/pts', '/dev/mqueue', '/dev/shm']) {
      expect(order.indexOf('/dev') < order.indexOf(inner), `/dev (a fresh tmpfs) must come before ${inner}, or it hides it. Look at ${MOUNTS}`).toBe(true);
    }
  });

  it("network mode none gets its own network namespace, host shares the host's", () => {
    const types = (mode: 'none' | 'host') => (buildSpec(options({ networkMode: mode })).linux?.namespaces ?? []).map((n) => n.type).sort();
    expect(types('none'), `'none': pid, ipc, uts, mount and network namespaces (no user namespace as root). Look at ${LINUX}`).toEqual(['ipc', 'mount', 'network', 'pid', 'uts']);
    expect(types('host'), `'host': no network namespace, the container uses the host's. Look at ${LINUX}`).toEqual(['ipc', 'mount', 'pid', 'uts']);
    const paths = (buildSpec(options()).linux?.namespaces ?? []).filter((n) => n.path !== undefined);
    expect(paths, `every namespace is a new one (no path to join). Look at ${LINUX}`).toEqual([]);
  });

  it("rootless: root in a user namespace is the daemon's user, with no cgroup settings", () => {
    const spec = buildSpec(
      options({ rootless: { uid: 1001, gid: 1002 }, resources: { memory: 1 << 26, pidsLimit: 10 }, cgroupsPath: '/minidocker/abc' }),
    );
    const types = (spec.linux?.namespaces ?? []).map((n) => n.type).sort();
    expect(types, `rootless adds a user namespace. Look at ${LINUX}`).toEqual(['ipc', 'mount', 'network', 'pid', 'user', 'uts']);
    expect(spec.linux?.uidMappings, `container uid 0 → the daemon's uid, one id. Look at ${LINUX}`).toEqual([{ containerID: 0, hostID: 1001, size: 1 }]);
    expect(spec.linux?.gidMappings, `container gid 0 → the daemon's gid, one id. Look at ${LINUX}`).toEqual([{ containerID: 0, hostID: 1002, size: 1 }]);
    expect(spec.linux?.resources, `an unprivileged daemon cannot set cgroup limits: no linux.resources. Look at ${LINUX}`).toBeUndefined();
    expect(spec.linux?.cgroupsPath, `no cgroupsPath when rootless. Look at ${LINUX}`).toBeUndefined();
    expect(mountAt(spec, '/sys/fs/cgroup'), `no cgroup mount when rootless. Look at ${MOUNTS}`).toBeUndefined();
    const sys = mountAt(spec, '/sys');
    expect(sys?.source === '/sys' && sys.options?.includes('rbind') && sys.options.includes('ro'), `/sys is the host's /sys bind-mounted (rbind, ro): sysfs cannot be mounted here. Got ${JSON.stringify(sys)}. Look at ${MOUNTS}`).toBe(true);
    expect(mountAt(spec, '/dev/pts')?.options ?? [], `gid=5 does not exist in the user namespace: drop it from /dev/pts. Look at ${MOUNTS}`).not.toContain('gid=5');
    expect(buildSpec(options()).linux?.uidMappings, `as root: no id mappings. Look at ${LINUX}`).toBeUndefined();
  });

  it('memory, pids and CPU limits become cgroup resources as docker sets them', () => {
    const spec = buildSpec(options({ resources: { memory: 64 * 1024 * 1024, pidsLimit: 50, nanoCpus: 1_500_000_000 }, cgroupsPath: '/minidocker/abc' }));
    const r = spec.linux?.resources;
    expect(r?.memory?.limit, `--memory 64m → memory.limit in bytes. Look at ${RESOURCES}`).toBe(67108864);
    expect(r?.memory?.swap, `docker's default swap is twice the memory (memory + as much swap). Look at ${RESOURCES}`).toBe(134217728);
    expect(r?.pids, `--pids-limit 50 → pids.limit. Look at ${RESOURCES}`).toEqual({ limit: 50 });
    expect(r?.cpu?.period, `--cpus uses a 100000 µs CFS period. Look at ${RESOURCES}`).toBe(100000);
    expect(r?.cpu?.quota, `--cpus 1.5 (NanoCpus 1.5e9) → quota = NanoCpus × period / 1e9. Look at ${RESOURCES}`).toBe(150000);
    expect(r?.devices?.[0], `the first device rule denies everything (runc then allows the devices a container needs). Look at ${RESOURCES}`).toMatchObject({ allow: false, access: 'rwm' });
    expect(spec.linux?.cgroupsPath, `linux.cgroupsPath as given. Look at ${LINUX}`).toBe('/minidocker/abc');
    const plain = buildSpec(options()).linux?.resources;
    expect(plain?.memory ?? plain?.pids ?? plain?.cpu, `no limits asked: no memory, pids or cpu section. Look at ${RESOURCES}`).toBeUndefined();
    expect(plain?.devices?.[0], `the deny-all device rule is there without limits too. Look at ${RESOURCES}`).toMatchObject({ allow: false, access: 'rwm' });
  });

  it("the open-files limit never exceeds the host's hard limit", () => {
    const nofile = (limit: number) => (buildSpec(options({ hostNofileLimit: limit })).process?.rlimits ?? []).filter((r) => r.type === 'RLIMIT_NOFILE');
    expect(nofile(20000), `the host allows 20000: soft = hard = 20000 (raising a hard limit needs CAP_SYS_RESOURCE). Look at ${SPEC}`).toEqual([
      { type: 'RLIMIT_NOFILE', soft: 20000, hard: 20000 },
    ]);
    expect(nofile(4_194_304), `a generous host: docker's 1048576. Look at ${SPEC}`).toEqual([{ type: 'RLIMIT_NOFILE', soft: 1048576, hard: 1048576 }]);
  });

  it("HostConfig flags set docker's namespaces, init, mounts, process and cgroup fields", () => {
    const types = (extra: Partial<SpecOptions>) => (buildSpec(options(extra)).linux?.namespaces ?? []).map((n) => n.type).sort();
    expect(types({ pidMode: 'private', ipcMode: 'private', utsMode: 'private', cgroupnsMode: 'host' }), `the default modes change nothing. Look at ${MODES}`).toEqual(['ipc', 'mount', 'network', 'pid', 'uts']);
    expect(types({ pidMode: 'host' }), `--pid host: no pid namespace, the container sees the host's processes. Look at ${MODES}`).toEqual(['ipc', 'mount', 'network', 'uts']);
    expect(types({ ipcMode: 'host' }), `--ipc host: no ipc namespace. Look at ${MODES}`).toEqual(['mount', 'network', 'pid', 'uts']);
    expect(types({ utsMode: 'host' }), `--uts host: no uts namespace. Look at ${MODES}`).toEqual(['ipc', 'mount', 'network', 'pid']);
    expect(types({ cgroupnsMode: 'private' }), `--cgroupns private: a cgroup namespace too. Look at ${MODES}`).toEqual(['cgroup', 'ipc', 'mount', 'network', 'pid', 'uts']);
    expect(buildSpec(options({ utsMode: 'host' })).hostname, `--uts host: no hostname in the spec (runc refuses one without a uts namespace). Look at ${MODES}`).toBeUndefined();

    const init = buildSpec(options({ init: '/usr/bin/tini-static' }));
    expect(init.process?.args, `--init: docker-init runs the command, ['/sbin/docker-init', '--', ...args]. Look at ${MODES}`).toEqual(['/sbin/docker-init', '--', 'sh', '-c', 'echo hi']);
    expect(mountAt(init, '/sbin/docker-init'), `--init: the host's init bind-mounted read-only at /sbin/docker-init. Look at ${MODES}`).toEqual({
      destination: '/sbin/docker-init',
      type: 'bind',
      source: '/usr/bin/tini-static',
      options: ['bind', 'ro'],
    });
    const hostInit = buildSpec(options({ init: '/usr/bin/tini-static', pidMode: 'host' }));
    expect([hostInit.process?.args, mountAt(hostInit, '/sbin/docker-init')], `docker ignores --init with --pid host: args unchanged, no mount. Look at ${MODES}`).toEqual([['sh', '-c', 'echo hi'], undefined]);

    const ipc = buildSpec(options({ ipcMode: 'host' }));
    expect(mountAt(ipc, '/dev/shm'), `--ipc host: /dev/shm is the host's, bind-mounted. Look at ${HOST_CONFIG}`).toMatchObject({ type: 'bind', source: '/dev/shm' });
    expect(mountAt(ipc, '/dev/mqueue')?.type, `--ipc host as root: runc mounts the mqueue of the host's ipc namespace. Look at ${HOST_CONFIG}`).toBe('mqueue');
    const rootlessIpc = buildSpec(options({ ipcMode: 'host', rootless: { uid: 1001, gid: 1001 } }));
    expect(mountAt(rootlessIpc, '/dev/mqueue'), `--ipc host rootless: a user namespace may not mount the host's mqueue, so no /dev/mqueue. Look at ${HOST_CONFIG}`).toBeUndefined();
    const shm = mountAt(buildSpec(options({ shmSize: 128 * 1024 * 1024 })), '/dev/shm')?.options ?? [];
    expect(shm.filter((o) => o.startsWith('size=')), `--shm-size 128m: size=131072k instead of the default. Look at ${HOST_CONFIG}`).toEqual(['size=131072k']);

    const flags = buildSpec(
      options({
        user: { uid: 1000, gid: 1000, additionalGids: [50, 5, 50, 4242, 5] },
        readonlyRootfs: true,
        noNewPrivileges: true,
        oomScoreAdj: 500,
        maskedPaths: ['/proc/secret'],
        readonlyPaths: [],
        ulimits: [{ name: 'nofile', soft: 1024, hard: 2048 }, { name: 'nproc', soft: 100, hard: 200 }],
      }),
    );
    expect(flags.process?.user.additionalGids, `additionalGids once each, in order (the user's groups and --group-add may overlap). Look at ${HOST_CONFIG}`).toEqual([50, 5, 4242]);
    expect(flags.root?.readonly, `--read-only: root.readonly. Look at ${HOST_CONFIG}`).toBe(true);
    expect(flags.process?.noNewPrivileges, `--security-opt no-new-privileges: process.noNewPrivileges. Look at ${HOST_CONFIG}`).toBe(true);
    expect(flags.process?.oomScoreAdj, `--oom-score-adj 500: process.oomScoreAdj. Look at ${HOST_CONFIG}`).toBe(500);
    expect([flags.linux?.maskedPaths, flags.linux?.readonlyPaths], `HostConfig.MaskedPaths and ReadonlyPaths replace docker's lists. Look at ${HOST_CONFIG}`).toEqual([['/proc/secret'], []]);
    expect(flags.process?.rlimits, `--ulimit nofile=1024:2048 replaces the default RLIMIT_NOFILE, nproc=100:200 adds RLIMIT_NPROC. Look at ${HOST_CONFIG}`).toEqual([
      { type: 'RLIMIT_NOFILE', soft: 1024, hard: 2048 },
      { type: 'RLIMIT_NPROC', soft: 100, hard: 200 },
    ]);

    const MiB = 1024 * 1024;
    const limits = buildSpec(
      options({
        resources: {
          memory: 64 * MiB,
          memoryReservation: 32 * MiB,
          memorySwap: 256 * MiB,
          memorySwappiness: 10,
          oomKillDisable: true,
          cpuShares: 512,
          cpuQuota: 50_000,
          cpuPeriod: 200_000,
          cpusetCpus: '0-1',
          cpusetMems: '0',
        },
      }),
    ).linux?.resources;
    expect(limits?.memory, `--memory-reservation, --memory-swap (the total of memory and swap), --memory-swappiness, --oom-kill-disable. Look at ${HOST_CONFIG}`).toEqual({
      limit: 64 * MiB,
      reservation: 32 * MiB,
      swap: 256 * MiB,
      swappiness: 10,
      disableOOMKiller: true,
    });
    expect(limits?.cpu, `--cpu-shares, --cpu-quota, --cpu-period, --cpuset-cpus, --cpuset-mems. Look at ${HOST_CONFIG}`).toEqual({ shares: 512, quota: 50_000, period: 200_000, cpus: '0-1', mems: '0' });
    const unlimited = buildSpec(options({ resources: { memory: 64 * MiB, memorySwap: -1 } })).linux?.resources?.memory;
    expect(unlimited, `--memory-swap -1: unlimited swap, so no memory.swap. Look at ${HOST_CONFIG}`).toEqual({ limit: 64 * MiB });
  });

  it('every spec validates against the OCI runtime-spec schema (root and rootless)', (ctx) => {
    if (runtimeSchema.skip) ctx.skip(runtimeSchema.reason);
    const validate = specValidator();
    const variants: Array<[string, SpecOptions]> = [
      ['root, network none, with limits', options({ resources: { memory: 1 << 26, pidsLimit: 20, nanoCpus: 5e8 }, cgroupsPath: '/minidocker/abc', user: { uid: 1000, gid: 1001, additionalGids: [5] } })],
      ['root, network host, tty', options({ networkMode: 'host', terminal: true, consoleSize: { height: 24, width: 80 }, cwd: '/srv' })],
      ['rootless', options({ rootless: { uid: 1001, gid: 1001 } })],
      [
        'root, HostConfig flags',
        options({
          pidMode: 'host',
          ipcMode: 'host',
          utsMode: 'host',
          cgroupnsMode: 'private',
          readonlyRootfs: true,
          noNewPrivileges: true,
          oomScoreAdj: -500,
          ulimits: [{ name: 'nofile', soft: 1024, hard: 2048 }, { name: 'core', soft: 0, hard: 0 }],
          resources: { memory: 1 << 26, memoryReservation: 1 << 25, memorySwap: -1, memorySwappiness: 0, oomKillDisable: true, cpuShares: 512, cpuQuota: 50000, cpuPeriod: 100000, cpusetCpus: '0', cpusetMems: '0' },
        }),
      ],
      ['root, --init, --shm-size', options({ init: '/usr/bin/tini-static', shmSize: 1 << 27, maskedPaths: [], readonlyPaths: ['/proc/sys'] })],
      ['rootless, host namespaces', options({ rootless: { uid: 1001, gid: 1001 }, pidMode: 'host', ipcMode: 'host', utsMode: 'host', cgroupnsMode: 'private' })],
    ];
    for (const [label, opts] of variants) {
      const spec = JSON.parse(JSON.stringify(buildSpec(opts))) as unknown;
      expect(validate(spec), `${label}: config.json must satisfy config-schema.json. Look at ${SPEC}`).toEqual([]);
    }
  });

  it('writeBundle replaces config.json atomically and leaves no temp file', async () => {
    const bundle = path.join(tmp, 'bundle');
    await fs.mkdir(path.join(bundle, 'rootfs'), { recursive: true });
    await fs.writeFile(path.join(bundle, 'config.json'), '{"old":true}\n');
    const spec = buildSpec(options());
    const events: Array<[string, string]> = [];
    let sawConfig: () => void = () => undefined;
    const configEvent = new Promise<void>((resolve) => (sawConfig = resolve));
    const watcher = watch(bundle, (type, name) => {
      events.push([type, String(name)]);
      if (name === 'config.json') sawConfig();
    });
    try {
      await writeBundle(bundle, spec);
      // The last inotify events of the write may arrive after it resolved: wait for config.json's.
      await Promise.race([configEvent, new Promise((r) => setTimeout(r, 5000))]);
      await new Promise((r) => setTimeout(r, 100));
    } finally {
      watcher.close();
    }
    const written = JSON.parse(await fs.readFile(path.join(bundle, 'config.json'), 'utf8')) as unknown;
    expect(written, `config.json holds the spec as JSON. Look at ${WRITE}`).toEqual(JSON.parse(JSON.stringify(spec)));
    expect(
      events.filter(([type, name]) => type === 'change' && name === 'config.json'),
      `config.json was written in place (a runtime could read half of it): write a temp file and rename it over config.json (writeFileAtomic). Events: ${JSON.stringify(events)}. Look at ${WRITE}`,
    ).toEqual([]);
    expect(events.some(([, name]) => name !== 'config.json'), `no temp file was seen: write one beside config.json, then rename it. Look at ${WRITE}`).toBe(true);
    expect((await fs.readdir(bundle)).sort(), `only config.json and rootfs/ remain in the bundle. Look at ${WRITE}`).toEqual(['config.json', 'rootfs']);
  });

  it("an overlay rootfs leaves the image's tree untouched and removeRootfs unmounts it", async (ctx) => {
    if (!isRoot) ctx.skip(NOT_ROOT);
    const lower = await imageTree();
    const before = await snapshot(lower);
    const container = path.join(tmp, 'c');
    await fs.mkdir(container);
    const rootfs = await prepareRootfs(lower, container, 'overlay');
    expect(rootfs, `prepareRootfs returns <containerDir>/bundle/rootfs. Look at ${ROOTFS}`).toBe(path.join(container, 'bundle', 'rootfs'));
    for (const dir of ['bundle/rootfs', 'upper', 'work']) {
      expect(await exists(path.join(container, dir)), `prepareRootfs makes ${dir} for the overlay. Look at ${ROOTFS} (prepareRootfs)`).toBe(true);
    }
    expect(mountPoints(), `prepareRootfs mounts nothing: the shim mounts the overlay when the container starts. Look at ${ROOTFS} (prepareRootfs)`).not.toContain(rootfs);
    // The shim's part, done here: run the command, as it is.
    const argv = overlayMountArgs(lower, container);
    expect([argv[0], argv.at(-1)], `overlayMountArgs gives a mount command: "mount" first, the mount point last. Look at ${ROOTFS} (overlayMountArgs)`).toEqual(['mount', rootfs]);
    let mounted = '';
    try {
      execFileSync(argv[0] ?? 'mount', argv.slice(1), { stdio: 'pipe' });
    } catch (err) {
      mounted = String((err as { stderr?: Buffer }).stderr ?? err).trim();
    }
    expect(mounted, `mount ${argv.slice(1).join(' ')} must succeed. Look at ${ROOTFS} (overlayMountArgs)`).toBe('');
    expect(mountPoints(), `the command mounts an overlay on bundle/rootfs. Look at ${ROOTFS} (overlayMountArgs)`).toContain(rootfs);
    expect(await fs.readFile(path.join(rootfs, 'etc', 'motd'), 'utf8').catch(describeError), `the image's files show through. Look at ${ROOTFS}`).toBe('from the image\n');
    await fs.writeFile(path.join(rootfs, 'etc', 'motd'), 'changed\n');
    await fs.writeFile(path.join(rootfs, 'new'), 'new\n');
    await fs.rm(path.join(rootfs, 'bin', 'alias'));
    expect(await snapshot(lower), `writing into the rootfs changed the image's tree: lower must be the overlay's lowerdir. Look at ${ROOTFS}`).toEqual(before);
    expect(await fs.readFile(path.join(container, 'upper', 'new'), 'utf8').catch(describeError), `the container's changes land in <containerDir>/upper. Look at ${ROOTFS}`).toBe('new\n');

    await removeRootfs(container);
    expect(mountPoints(), `removeRootfs must unmount bundle/rootfs. Look at ${ROOTFS} (removeRootfs)`).not.toContain(rootfs);
    for (const dir of ['bundle/rootfs', 'upper', 'work']) {
      expect(await exists(path.join(container, dir)), `removeRootfs removes ${dir}. Look at ${ROOTFS}`).toBe(false);
    }
    expect(await snapshot(lower), `removing the rootfs must not touch the image's tree. Look at ${ROOTFS}`).toEqual(before);
    expect(describeError(await rejectionOf(removeRootfs(container))), `a second removeRootfs finds nothing to do and succeeds. Look at ${ROOTFS}`).toBe(
      'Error: (resolved without an error)',
    );

    const broken = path.join(tmp, 'broken');
    await fs.mkdir(broken);
    const failure = await rejectionOf(prepareRootfs(path.join(tmp, 'no-such-image'), broken, 'overlay'));
    expect(describeError(failure), `an overlay over a missing image tree must fail at once (lower is not a directory). Look at ${ROOTFS} (prepareRootfs)`).not.toContain('resolved without an error');
    for (const dir of ['bundle/rootfs', 'upper', 'work']) {
      expect(await exists(path.join(broken, dir)), `a failed prepareRootfs cleans up: ${dir} is left behind. Look at ${ROOTFS}`).toBe(false);
    }
  });

  it("a copied rootfs is the image's tree with modes and links kept", async () => {
    expect(defaultRootfsMode(), `defaultRootfsMode: 'overlay' as root, 'copy' otherwise. Look at ${ROOTFS}`).toBe(isRoot ? 'overlay' : 'copy');
    const lower = await imageTree();
    const before = await snapshot(lower);
    const container = path.join(tmp, 'c');
    await fs.mkdir(container);
    const rootfs = await prepareRootfs(lower, container, 'copy');
    expect(rootfs, `prepareRootfs returns <containerDir>/bundle/rootfs. Look at ${ROOTFS}`).toBe(path.join(container, 'bundle', 'rootfs'));
    expect(mountPoints(), `copy mode mounts nothing. Look at ${ROOTFS}`).not.toContain(rootfs);
    expect(await snapshot(rootfs), `the copy holds the same entries with the same modes, and bin/alias stays a symlink to "tool" (cp -a). Look at ${ROOTFS}`).toEqual(before);
    const motd = await fs.stat(path.join(rootfs, 'etc', 'motd'));
    expect(motd.mtime.toISOString(), `cp -a keeps modification times. Look at ${ROOTFS}`).toBe('2020-01-02T03:04:05.000Z');
    await fs.writeFile(path.join(rootfs, 'etc', 'motd'), 'changed\n');
    expect(await snapshot(lower), `changing the copy must not change the image's tree. Look at ${ROOTFS}`).toEqual(before);
    await removeRootfs(container);
    expect(await exists(rootfs), `removeRootfs removes the copy. Look at ${ROOTFS}`).toBe(false);
    expect(await snapshot(lower), `the image's tree survives removeRootfs. Look at ${ROOTFS}`).toEqual(before);
  });

  it('as root, runc runs a container with those flags in effect: groups, init, read-only root, host namespaces', async (ctx) => {
    if (!isRoot) ctx.skip(NOT_ROOT_RUNC);
    if (runcTool.skip) ctx.skip(runcTool.reason);
    if (initTool.skip) ctx.skip(initTool.reason);
    const runc = requireTool(runcTool);
    const init = requireTool(initTool);
    const rootfs = path.join(tmp, 'busybox');
    await makeBusyboxRootfs(rootfs);
    await fs.appendFile(path.join(rootfs, 'etc', 'group'), 'staff:x:50:\n');
    const added = await resolveGroups(rootfs, ['staff', '4242']);

    const own = await runcRun(
      runc,
      rootfs,
      [
        'echo groups $(id -G)',
        "echo pid1 $(tr '\\0' ' ' < /proc/1/cmdline)",
        'touch /probe 2>/dev/null && echo write allowed || echo write refused',
        "echo nnp $(awk '/^NoNewPrivs/ { print $2 }' /proc/self/status)",
        'echo oom $(cat /proc/self/oom_score_adj)',
        'echo nofile $(ulimit -Sn) $(ulimit -Hn)',
        'echo cgroupns $(readlink /proc/self/ns/cgroup)',
      ].join('\n'),
      {
        user: { uid: 0, gid: 0, additionalGids: [...added, 50] },
        init,
        readonlyRootfs: true,
        noNewPrivileges: true,
        oomScoreAdj: 300,
        ulimits: [{ name: 'nofile', soft: 4096, hard: 8192 }],
        cgroupnsMode: 'private',
      },
    );
    expect(own.error, `runc refused the spec of --init, --group-add, --read-only, --ulimit, --cgroupns private. Look at ${MODES} and ${HOST_CONFIG}`).toBeUndefined();
    expect((own.groups ?? '').split(' ').sort(), `--group-add staff 4242: id -G shows gid 0, 50 (staff in the image's group file) and 4242. Look at ${GROUPS} and ${SPEC}`).toEqual(['0', '4242', '50']);
    expect(own.pid1, `--init: pid 1 is /sbin/docker-init, and it runs the command. Look at ${MODES}`).toMatch(/^\/sbin\/docker-init -- sh -c /);
    expect(own.write, `--read-only: writing to / must fail. Look at ${HOST_CONFIG}`).toBe('refused');
    expect([own.nnp, own.oom, own.nofile], `no-new-privileges (NoNewPrivs 1), --oom-score-adj 300, --ulimit nofile=4096:8192. Look at ${HOST_CONFIG}`).toEqual(['1', '300', '4096 8192']);
    expect(own.cgroupns, `--cgroupns private: a cgroup namespace of its own. Look at ${MODES}`).not.toBe(readlinkSync('/proc/self/ns/cgroup'));

    const marker = path.join('/dev/shm', `dockerlings-10-${randomBytes(4).toString('hex')}`);
    await fs.writeFile(marker, 'from the host\n');
    scope.defer(() => fs.rm(marker, { force: true }), `removing ${marker}`);
    const shared = await runcRun(
      runc,
      rootfs,
      [
        'for ns in pid ipc uts; do echo $ns $(readlink /proc/self/ns/$ns); done',
        `test -d /proc/${process.pid} && echo checker visible || echo checker hidden`,
        'echo hostname $(hostname)',
        `echo shm $(cat ${marker} 2>&1)`,
      ].join('\n'),
      { pidMode: 'host', ipcMode: 'host', utsMode: 'host', init },
    );
    expect(shared.error, `runc refused the spec of --pid host --ipc host --uts host. Look at ${MODES} and ${HOST_CONFIG}`).toBeUndefined();
    for (const ns of ['pid', 'ipc', 'uts']) {
      expect(shared[ns], `--${ns} host: the container is in the host's ${ns} namespace. Look at ${MODES}`).toBe(readlinkSync(`/proc/self/ns/${ns}`));
    }
    expect(shared.checker, `--pid host: the host's processes, this check's among them (pid ${process.pid}), are visible in /proc. Look at ${MODES}`).toBe('visible');
    expect(shared.hostname, `--uts host: the host's hostname. Look at ${MODES}`).toBe(os.hostname());
    expect(shared.shm, `--ipc host: /dev/shm is the host's (a file the check put there shows). Look at ${HOST_CONFIG}`).toBe('from the host');
  });
});
