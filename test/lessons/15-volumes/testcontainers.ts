/**
 * Lesson 15 checks: testcontainers 11 moving files in and out of containers
 * on minidockerd, as a user's test suite does: copies before start
 * (withCopy…ToContainer: one archive PUT between create and start), copies
 * into a running container and a tar read back (copy…ToContainer,
 * copyArchiveFromContainer), and withBindMounts / withTmpFs. Each scenario
 * runs in a process of its own (test/support/testcontainers-run.ts:
 * testcontainers keeps one client, for one daemon, per process), pointed at
 * one real daemon on the offline busybox mirror by DOCKER_HOST, with ryuk
 * off. The container's view is read through exec (cat, stat, find, grep
 * /proc/mounts); the host's through the bind directories. Names, contents,
 * modes and sizes come from a printed seed.
 */
import fs from 'node:fs/promises';
import path from 'node:path';
import { expect, it } from 'vitest';
import type { ContainerDaemons } from '../../support/container-harness.js';
import type { DaemonProcess } from '../../support/daemon-harness.js';
import { requireTool } from '../../support/prereq.js';
import { nameFrom, seeded } from '../../support/seeded.js';
import type { Seeded } from '../../support/seeded.js';
import { leftOver, runScenario, testcontainersPrerequisite } from '../../support/testcontainers-run.js';
import type { ScenarioRun } from '../../support/testcontainers-run.js';
import type { ScenarioExec } from '../../support/testcontainers-scenario.js';
import { pick, readTar, textFrom } from './archive-helpers.js';

const ARCHIVE = 'src/daemon/containers/archive.ts';
/** File modes from the seed: never 0644, what a daemon that ignores the tar's modes would likely give. */
const FILE_MODES = [0o600, 0o604, 0o640, 0o660, 0o700, 0o750, 0o755] as const;

/** Where to look when a step fails, shared by the scenarios. */
const COMMON: Record<string, string> = {
  runtime: 'testcontainers found no working daemon at DOCKER_HOST: it asks GET /info, then GET /networks/bridge where /.dockerenv exists (lesson 14)',
  exec: 'exec() is POST /containers/{id}/exec, then POST /exec/{id}/start without Upgrade (lesson 13)',
  stop: 'stop() sends POST /containers/{id}/stop?t=0 and DELETE /containers/{id}?v=true',
};

const WHERE_COPY_BEFORE: Record<string, string> = {
  ...COMMON,
  start: `with withCopy…ToContainer, testcontainers creates the container, then sends one PUT /containers/{id}/archive?path=/&noOverwriteDirNonDir=&copyUIDGID= (a chunked tar, Content-Type application/tar) holding every entry under its target's name without the leading /, with no entries for parents that do not exist yet, then POST /containers/{id}/start; any answer to the PUT but 200 fails start() — ${ARCHIVE} extractIn (the container never ran: the copy goes into its root filesystem before its first start)`,
};

const WHERE_COPY_RUNNING: Record<string, string> = {
  ...COMMON,
  start: 'busybox with Wait.forLogMessage: create, start, then GET /containers/{id}/logs?follow=true until its ready line (lessons 12 and 13)',
  'copy-content': `copyContentToContainer sends PUT /containers/{id}/archive?path=/ with a tar of the content under the target's name without its leading /, with the mode given; the container runs, so the file lands in its live root — ${ARCHIVE} extractIn`,
  'copy-files': `copyFilesToContainer sends PUT /containers/{id}/archive?path=/ with the host file under the target's name, its mode and mtime the host file's — ${ARCHIVE} extractIn`,
  'copy-directories': `copyDirectoriesToContainer sends PUT /containers/{id}/archive?path=/ with the host directory's entries below the target (no entry for the target itself: the daemon makes missing parents) — ${ARCHIVE} extractIn`,
  archive: `copyArchiveFromContainer(path) is GET /containers/{id}/archive?path=<path>: 200 and the tar, streamed — ${ARCHIVE} archiveOut`,
};

const WHERE_MOUNTS: Record<string, string> = {
  ...COMMON,
  start: 'withBindMounts and withTmpFs make the create carry HostConfig.Binds ["<host dir>:<target>:rw", "<host dir>:<target>:ro"] and HostConfig.Tmpfs {"<target>": "rw,noexec,nosuid,size=<n>m"}: create must accept them, start must mount them (binds with rbind and ro, a tmpfs with its options) — src/daemon/volumes/mount-points.ts (parseBind, the Tmpfs field), src/runtime/mounts.ts specMounts',
};

/** A file mode as `stat -c %a` prints it. */
const octal = (mode: number) => mode.toString(8);

/** Seeded text of a few lines, ending with a newline. */
function linesFrom(rng: Seeded): string {
  return `${textFrom(rng, 32)}\n${textFrom(rng, 16)}\n`;
}

/** The i-th exec of a run, or a stand-in saying it did not run (the failure says why). */
function execOf(run: ScenarioRun, i: number): ScenarioExec {
  return run.report.execs?.[i] ?? { command: '', exitCode: -1, stdout: '', stderr: `(exec ${i} did not run: ${run.failure || 'no report'})` };
}

/** An exec's outcome, for messages. */
function said(e: ScenarioExec): string {
  return `\`${e.command}\` exited ${e.exitCode}, stderr ${JSON.stringify(e.stderr.slice(0, 300))}`;
}

/**
 * A host directory to copy: `a.txt`, `sub/b.txt` (a seeded mode) and an empty
 * `empty/`. Returns its path and what the files hold.
 */
async function hostTree(daemons: ContainerDaemons, rng: Seeded): Promise<{ dir: string; a: string; b: string; bMode: number }> {
  const dir = path.join(await daemons.harness.tempDir(), 'tree');
  const [a, b, bMode] = [linesFrom(rng), linesFrom(rng), pick(rng, FILE_MODES)];
  await fs.mkdir(path.join(dir, 'sub'), { recursive: true, mode: 0o755 });
  await fs.mkdir(path.join(dir, 'empty'), { mode: 0o755 });
  await fs.writeFile(path.join(dir, 'a.txt'), a);
  await fs.writeFile(path.join(dir, 'sub', 'b.txt'), b);
  await fs.chmod(path.join(dir, 'sub', 'b.txt'), bMode);
  return { dir, a, b, bMode };
}

/** A host file with seeded content, mode and mtime (whole seconds). */
async function hostFile(daemons: ContainerDaemons, rng: Seeded, name: string): Promise<{ file: string; content: string; mode: number; mtime: number }> {
  const file = path.join(await daemons.harness.tempDir(), name);
  const [content, mode] = [linesFrom(rng), pick(rng, FILE_MODES)];
  const mtime = Date.UTC(2021, rng.int(0, 11), rng.int(1, 28), rng.int(0, 23), rng.int(0, 59), rng.int(0, 59)) / 1000;
  await fs.writeFile(file, content);
  await fs.chmod(file, mode);
  await fs.utimes(file, mtime, mtime);
  return { file, content, mode, mtime };
}

/** `find . | sort` of the tree {@link hostTree} makes, as busybox prints it. */
const TREE_LISTING = '.\n./a.txt\n./empty\n./sub\n./sub/b.txt\n';

/**
 * Declares the testcontainers checks of lesson 15; call it inside the
 * lesson's describe, with the fixtures the test file made (mirror started in
 * its beforeAll, cleanup in its afterEach).
 */
export function registerTestcontainersChecks(daemons: ContainerDaemons): void {
  const testcontainers = testcontainersPrerequisite();

  async function daemonWithBusybox(): Promise<DaemonProcess> {
    const daemon = await daemons.start();
    await daemons.pull(daemon, 'busybox');
    return daemon;
  }

  it.skipIf(testcontainers.skip)('testcontainers copies content, files and directories into a container before it starts: withCopyContentToContainer, withCopyFilesToContainer and withCopyDirectoriesToContainer', async () => {
    requireTool(testcontainers);
    const daemon = await daemonWithBusybox();
    const rng = seeded();
    const content = { text: linesFrom(rng), mode: pick(rng, FILE_MODES), target: `/etc/${nameFrom(rng, 'app')}/${nameFrom(rng, 'c')}.conf` };
    const file = await hostFile(daemons, rng, `${nameFrom(rng, 'f')}.txt`);
    const fileTarget = `/opt/${nameFrom(rng, 'o')}/${path.basename(file.file)}`;
    const tree = await hostTree(daemons, rng);
    const dirTarget = `/srv/${nameFrom(rng, 'd')}`;

    const run = await runScenario(daemons, daemon, {
      scenario: 'copy-before-start',
      copies: {
        contents: [{ content: content.text, target: content.target, mode: content.mode }],
        files: [{ source: file.file, target: fileTarget }],
        directories: [{ source: tree.dir, target: dirTarget }],
      },
      startScript: `cat ${content.target} > /seen-at-start 2>&1`,
      commands: [
        'cat /seen-at-start',
        `cat ${content.target}`,
        `stat -c '%a %u:%g' ${content.target} ${fileTarget} ${dirTarget}/sub/b.txt`,
        `cat ${fileTarget}`,
        `stat -c %Y ${fileTarget}`,
        `cd ${dirTarget} && find . | sort`,
        `cat ${dirTarget}/a.txt ${dirTarget}/sub/b.txt`,
      ],
    }, WHERE_COPY_BEFORE);
    const { report, failure, log } = run;
    const at = `${rng.why} — ${ARCHIVE} extractIn`;
    expect(failure, `new GenericContainer('busybox') with withCopyContentToContainer (${content.target}, mode ${octal(content.mode)}), withCopyFilesToContainer (${fileTarget}) and withCopyDirectoriesToContainer (${dirTarget}) starts, and exec runs in it ${rng.why}; testcontainers logged:\n${log}`).toBe('');

    expect(execOf(run, 0).stdout, `the container's command found ${content.target} when it started: the PUT came before the start (${said(execOf(run, 0))}) ${at}`).toBe(content.text);
    expect(execOf(run, 1).stdout, `${content.target} holds the content given to withCopyContentToContainer; its missing parent directory was made (${said(execOf(run, 1))}) ${at}`).toBe(content.text);
    expect(execOf(run, 2).stdout, `stat -c '%a %u:%g' of the three copied files: the mode given to withCopyContentToContainer (${octal(content.mode)}), the host file's mode (${octal(file.mode)}) and the host tree file's (${octal(tree.bMode)}), all owned by the container's root as the tar says (0:0) (${said(execOf(run, 2))}) ${at}`)
      .toBe(`${octal(content.mode)} 0:0\n${octal(file.mode)} 0:0\n${octal(tree.bMode)} 0:0\n`);
    expect(execOf(run, 3).stdout, `${fileTarget} holds the host file ${file.file} (${said(execOf(run, 3))}) ${at}`).toBe(file.content);
    expect(execOf(run, 4).stdout, `${fileTarget} keeps the host file's mtime, which its tar entry carries (${said(execOf(run, 4))}) ${at}`).toBe(`${file.mtime}\n`);
    expect(execOf(run, 5).stdout, `find . | sort in ${dirTarget}: the host directory's files, subdirectory and empty directory, below the target that did not exist before (${said(execOf(run, 5))}) ${at}`).toBe(TREE_LISTING);
    expect(execOf(run, 6).stdout, `${dirTarget}/a.txt and sub/b.txt hold the host files' content (${said(execOf(run, 6))}) ${at}`).toBe(tree.a + tree.b);
    expect(report.cleanupErrors, 'stop() stops and removes the container without an error').toEqual([]);
    expect(await leftOver(daemon), 'after stop() no container of testcontainers is left').toEqual([]);
  }, 120_000);

  it.skipIf(testcontainers.skip)('testcontainers\' copyArchiveFromContainer and copyContentToContainer work on a running container', async () => {
    requireTool(testcontainers);
    const daemon = await daemonWithBusybox();
    const rng = seeded();
    const dir = `/tmp/${nameFrom(rng, 'd')}`;
    const base = path.posix.basename(dir);
    const note = { text: linesFrom(rng), mode: pick(rng, FILE_MODES) };
    const file = await hostFile(daemons, rng, `${nameFrom(rng, 'f')}.txt`);
    const fileName = path.basename(file.file);
    const tree = await hostTree(daemons, rng);
    const made = { path: `/var/${nameFrom(rng, 'log')}`, text: textFrom(rng, 40) };
    const missing = `/${nameFrom(rng, 'nope')}`;

    const run = await runScenario(daemons, daemon, {
      scenario: 'copy-running',
      startScript: `printf %s ${made.text} > ${made.path}`,
      copies: {
        contents: [{ content: note.text, target: `${dir}/note.txt`, mode: note.mode }],
        files: [{ source: file.file, target: `${dir}/${fileName}` }],
        directories: [{ source: tree.dir, target: `${dir}/tree` }],
      },
      commands: [`cat ${dir}/note.txt`, `stat -c %a ${dir}/note.txt`, `cat ${dir}/${fileName}`, `cd ${dir}/tree && find . | sort`],
      archives: [dir, made.path, missing],
    }, WHERE_COPY_RUNNING);
    const { report, failure, log } = run;
    const into = `${rng.why} — ${ARCHIVE} extractIn`;
    const outOf = `${rng.why} — ${ARCHIVE} archiveOut`;
    expect(failure, `a started busybox, then copyContentToContainer (${dir}/note.txt), copyFilesToContainer (${dir}/${fileName}), copyDirectoriesToContainer (${dir}/tree), exec and copyArchiveFromContainer ${rng.why}; testcontainers logged:\n${log}`).toBe('');

    expect(execOf(run, 0).stdout, `the running container sees ${dir}/note.txt, copied with copyContentToContainer (${said(execOf(run, 0))}) ${into}`).toBe(note.text);
    expect(execOf(run, 1).stdout, `with the mode given to copyContentToContainer (${said(execOf(run, 1))}) ${into}`).toBe(`${octal(note.mode)}\n`);
    expect(execOf(run, 2).stdout, `it sees ${dir}/${fileName}, copied with copyFilesToContainer (${said(execOf(run, 2))}) ${into}`).toBe(file.content);
    expect(execOf(run, 3).stdout, `and the tree copied with copyDirectoriesToContainer (${said(execOf(run, 3))}) ${into}`).toBe(TREE_LISTING);

    const [whole, own, none] = [0, 1, 2].map((i) => report.archives?.[i]);
    expect(whole?.error, `copyArchiveFromContainer('${dir}') gets a tar ${outOf}`).toBeUndefined();
    const items = await readTar(Buffer.from(whole?.tar ?? '', 'base64')).catch((err: Error) => {
      throw new Error(`copyArchiveFromContainer('${dir}') gave bytes that are not a tar: ${err.message} ${outOf}`);
    });
    const entries = items.map((i) => [i.name, i.type, i.content]).sort((x, y) => (String(x[0]) < String(y[0]) ? -1 : 1));
    expect(entries, `the tar of ${dir}: the directory under its base name with everything copied into it, each file with its content ${outOf}`).toEqual([
      [`${base}/`, 'directory', ''],
      [`${base}/${fileName}`, 'file', file.content],
      [`${base}/note.txt`, 'file', note.text],
      [`${base}/tree/`, 'directory', ''],
      [`${base}/tree/a.txt`, 'file', tree.a],
      [`${base}/tree/empty/`, 'directory', ''],
      [`${base}/tree/sub/`, 'directory', ''],
      [`${base}/tree/sub/b.txt`, 'file', tree.b],
    ]);
    expect(items.find((i) => i.name === `${base}/note.txt`)?.mode, `the tar keeps note.txt's mode ${octal(note.mode)} ${outOf}`).toBe(note.mode);
    expect(own?.error, `copyArchiveFromContainer('${made.path}') gets a tar ${outOf}`).toBeUndefined();
    const ownItems = await readTar(Buffer.from(own?.tar ?? '', 'base64')).catch(() => []);
    expect(ownItems.map((i) => [i.name, i.content]), `a file the container wrote itself comes back alone, under its base name ${outOf}`).toEqual([[path.posix.basename(made.path), made.text]]);
    expect(none?.error ?? 'it gave a tar', `copyArchiveFromContainer('${missing}') rejects: docker's 404 Could not find the file …, which dockerode turns into an error ${outOf}`).toMatch(/404[\s\S]*Could not find the file/);
    expect(report.cleanupErrors, 'stop() stops and removes the container without an error').toEqual([]);
    expect(await leftOver(daemon), 'after stop() no container of testcontainers is left').toEqual([]);
  }, 120_000);

  it.skipIf(testcontainers.skip)('testcontainers\' withBindMounts and withTmpFs mount a host directory (read-write and read-only) and a tmpfs', async () => {
    requireTool(testcontainers);
    const daemon = await daemonWithBusybox();
    const rng = seeded();
    const [rwDir, roDir] = [await daemons.harness.tempDir(), await daemons.harness.tempDir()];
    // Rootless, the container's root is the daemon's own user: 0755 lets it in either way.
    await fs.chmod(rwDir, 0o755);
    await fs.chmod(roDir, 0o755);
    const [fromHost, settings, back] = [linesFrom(rng), linesFrom(rng), textFrom(rng)];
    await fs.writeFile(path.join(rwDir, 'from-host'), fromHost, { mode: 0o644 });
    await fs.writeFile(path.join(roDir, 'settings'), settings, { mode: 0o644 });
    const [rw, ro, scratch] = [`/${nameFrom(rng, 'rw')}`, `/${nameFrom(rng, 'ro')}`, `/${nameFrom(rng, 'tmp')}`];
    const mib = rng.int(2, 32);

    const run = await runScenario(daemons, daemon, {
      scenario: 'mounts',
      binds: [{ source: rwDir, target: rw }, { source: roDir, target: ro, mode: 'ro' }],
      tmpfs: { [scratch]: `rw,noexec,nosuid,size=${mib}m` },
      commands: [
        `cat ${rw}/from-host`,
        `echo ${back} > ${rw}/from-container`,
        `cat ${ro}/settings`,
        `echo x > ${ro}/nope; echo "exit $?"`,
        `grep " ${scratch} " /proc/mounts`,
        `ls -A ${scratch} | wc -l; echo data > ${scratch}/f && cat ${scratch}/f`,
      ],
    }, WHERE_MOUNTS);
    const { report, failure, log } = run;
    const bind = `${rng.why} — src/daemon/volumes/mount-points.ts parseBind, src/runtime/mounts.ts specMounts`;
    expect(failure, `new GenericContainer('busybox').withBindMounts([{source: ${rwDir}, target: '${rw}'}, {source: ${roDir}, target: '${ro}', mode: 'ro'}]).withTmpFs({'${scratch}': 'rw,noexec,nosuid,size=${mib}m'}) starts, and exec runs in it ${rng.why}; testcontainers logged:\n${log}`).toBe('');

    expect(execOf(run, 0).stdout, `the container reads the host's ${rwDir}/from-host at ${rw}/from-host (${said(execOf(run, 0))}) ${bind}`).toBe(fromHost);
    expect(execOf(run, 1).exitCode, `the container writes ${rw}/from-container through the read-write bind (${said(execOf(run, 1))}) ${bind}`).toBe(0);
    expect(await fs.readFile(path.join(rwDir, 'from-container'), 'utf8').catch(() => 'missing'), `what the container wrote is in the host directory ${rwDir}: a bind shares the directory, it does not copy it ${bind}`).toBe(`${back}\n`);
    expect(execOf(run, 2).stdout, `the read-only bind is readable at ${ro} (${said(execOf(run, 2))}) ${bind}`).toBe(settings);
    const refused = execOf(run, 3);
    expect([refused.stdout, refused.stderr], `a write into the read-only bind ${ro} fails with "Read-only file system" (mode 'ro' becomes the mount option ro) ${bind}`).toEqual([expect.stringMatching(/^exit [12]\n$/), expect.stringContaining('Read-only file system')]);
    expect(await fs.readdir(roDir), `nothing was written into the read-only bind's host directory ${roDir} ${bind}`).toEqual(['settings']);
    expect(execOf(run, 4).stdout, `${scratch} is a tmpfs of ${mib * 1024}k, with docker's nosuid,nodev,noexec, in /proc/mounts (${said(execOf(run, 4))}) ${rng.why} — src/daemon/volumes/mount-points.ts (the Tmpfs field), src/runtime/mounts.ts specMounts`)
      .toMatch(new RegExp(`^tmpfs ${scratch} tmpfs rw,nosuid,nodev,noexec,relatime,size=${mib * 1024}k`, 'm'));
    expect(execOf(run, 5).stdout, `the tmpfs starts empty and is writable (${said(execOf(run, 5))}) ${rng.why} — src/runtime/mounts.ts specMounts`).toBe('0\ndata\n');
    expect(report.cleanupErrors, 'stop() stops and removes the container without an error').toEqual([]);
    expect(await leftOver(daemon), 'after stop() no container of testcontainers is left').toEqual([]);
  }, 120_000);
}
