/**
 * Lesson 11 — runtime: runc. Real containers: every check makes a busybox
 * bundle with the runtime's own `runc spec` (test/support/runc-bundle.ts, no
 * lesson code), runs it through the learner's Runc and tasks, and afterwards
 * force-deletes every container, kills any shim still naming the check's temp
 * dir, and removes the dir, also when the check fails.
 *
 * ```
 * <tmp>/
 * ├── runtime/runc/         --root
 * └── containers/<id>/      fifos, pid, exit, runtime.log, bundle/{config.json,rootfs/}
 *                           (as root, one check: lower/, upper/, work/ of an overlay the shim mounts)
 * ```
 */
import { afterEach, beforeEach, expect, it } from 'vitest';
import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import fsp from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import type { Readable } from 'node:stream';
import { NotFoundError } from '#kata/errdefs.js';
import { Runc, RuntimeError } from '#kata/runtime/runc.js';
import { adoptTask, startTask } from '#kata/runtime/task.js';
import { resizeTerminal } from '#kata/runtime/shim.js';
import type { ExitStatus, Task } from '#kata/runtime/task.js';
import { JsonFileLog, followLog, readLog } from '#kata/runtime/json-log.js';
import type { LogEntry } from '#kata/runtime/json-log.js';
import { mountPoints } from '../../fixtures/host-state.js';
import { crunCommand, isRoot, makeBusyboxBundle } from '../support/runc-bundle.js';
import { readAll } from '../support/bytes.js';
import { TestScope } from '../support/scope.js';
import type { BundleOptions } from '../support/runc-bundle.js';
import { describeError, rejectionOf } from '../support/outcomes.js';
import { prerequisite, requireTool } from '../support/prereq.js';
import { seeded } from '../support/seeded.js';

const RUNC = 'src/runtime/runc.ts';
const TASK = 'src/runtime/task.ts';
const LOG = 'src/runtime/json-log.ts';

const runcTool = prerequisite('runc', 'apt-get install runc');
const crunTool = prerequisite('crun', 'apt-get install crun');
const scriptTool = prerequisite('script', 'apt-get install bsdutils (util-linux)');

let cleanup: TestScope;
let tmp = '';

beforeEach(async () => {
  cleanup = new TestScope();
  tmp = await cleanup.tempDir('dockerlings-11-');
});

afterEach(async () => {
  await cleanup.cleanup();
});

// ---------------------------------------------------------------- helpers

function runtime(binary = 'runc'): Runc {
  return new Runc({ binary, root: path.join(tmp, 'runtime', binary) });
}

interface Container {
  id: string;
  dir: string;
  bundle: string;
  rootfs: string;
}

/** A fresh container dir with a bundle, its id tracked for `delete -f`. */
async function container(runc: Runc, options: BundleOptions): Promise<Container> {
  const id = `dl11-${randomBytes(4).toString('hex')}`;
  cleanup.container(runc.binary, runc.root, id);
  const dir = path.join(tmp, 'containers', id);
  await fsp.mkdir(dir, { recursive: true });
  const { bundle, rootfs } = await makeBusyboxBundle(dir, options);
  return { id, dir, bundle, rootfs };
}

/** Reads until `text` has arrived (or the stream ended); does not consume past the chunk holding it. */
async function readUntil(stream: Readable, text: string): Promise<string> {
  let seen = '';
  return new Promise((resolve) => {
    const onData = (chunk: Buffer) => {
      seen += chunk.toString('utf8');
      if (seen.includes(text)) done();
    };
    const done = () => {
      stream.off('data', onData);
      stream.off('end', done);
      stream.pause();
      resolve(seen);
    };
    stream.on('data', onData);
    stream.once('end', done);
  });
}

/** Output and status of a task, read to the end. */
async function finish(task: Task): Promise<{ stdout: string; stderr: string; status: ExitStatus }> {
  const [stdout, stderr] = await Promise.all([readAll(task.stdout), readAll(task.stderr)]);
  return { stdout: stdout.toString('utf8'), stderr: stderr.toString('utf8'), status: await task.exited };
}

/** Resolves once `file` exists: a watch on its directory, then a look (no polling). */
async function waitForFile(file: string): Promise<void> {
  await new Promise<void>((resolve) => {
    const watcher = fs.watch(path.dirname(file), () => check());
    const check = () => {
      if (!fs.existsSync(file)) return;
      watcher.close();
      resolve();
    };
    check();
  });
}

/** The runtime-spec status, waiting (10 ms steps, bounded by the check's timeout) until it is `want`. */
async function statusBecomes(runc: Runc, id: string, want: string): Promise<string> {
  for (;;) {
    const { status } = await runc.state(id);
    if (status === want) return status;
    await new Promise((r) => setTimeout(r, 10));
  }
}

/**
 * What the daemon does as root, made here without lesson 10: the bundle's
 * busybox tree moves to <dir>/lower, and bundle/rootfs becomes the empty mount
 * point of an overlay. Returns the mount command for TaskOptions.mount.
 */
async function overlayRootfs(c: Container): Promise<{ lower: string; upper: string; mount: string[] }> {
  const [lower, upper, work] = ['lower', 'upper', 'work'].map((name) => path.join(c.dir, name)) as [string, string, string];
  await fsp.rename(c.rootfs, lower);
  for (const dir of [c.rootfs, upper, work]) await fsp.mkdir(dir);
  return { lower, upper, mount: ['mount', '-t', 'overlay', 'overlay', '-o', `lowerdir=${lower},upperdir=${upper},workdir=${work}`, c.rootfs] };
}

function isMounted(dir: string): boolean {
  return mountPoints().includes(dir);
}

function isExitStatus(value: Task | ExitStatus): value is ExitStatus {
  return 'exitCode' in value;
}

// ---------------------------------------------------------------- runc

it.skipIf(runcTool.skip)('runc create, start, kill and delete walk a container through created, running and stopped', async () => {
  requireTool(runcTool);
  const runc = runtime();
  const c = await container(runc, { args: ['sleep', '600'] });
  const pidFile = path.join(c.dir, 'create.pid');
  await runc.create(c.id, c.bundle, { pidFile });
  const created = await runc.state(c.id);
  expect(created.status, `state after create must be "created" (${RUNC}: Runc.create runs \`runc create --bundle B --pid-file P ID\`, Runc.state parses \`runc state ID\`)`).toBe('created');
  expect(created.id, `state.id is the container's id (${RUNC}: Runc.state)`).toBe(c.id);
  expect(created.pid, `state.pid is the process runc wrote to the pid file (${RUNC}: Runc.create passes --pid-file)`).toBe(Number(fs.readFileSync(pidFile, 'utf8')));
  const listed = await runc.list();
  expect(listed.map((s) => [s.id, s.status]), `list() shows the created container (${RUNC}: Runc.list parses \`runc list --format json\`)`).toContainEqual([c.id, 'created']);
  await runc.start(c.id);
  expect((await runc.state(c.id)).status, `state after start must be "running" (${RUNC}: Runc.start)`).toBe('running');
  await runc.kill(c.id, 'SIGKILL');
  expect(await statusBecomes(runc, c.id, 'stopped'), `SIGKILL stops it (${RUNC}: Runc.kill sends \`runc kill ID 9\`)`).toBe('stopped');
  await runc.delete(c.id);
  const gone = await rejectionOf(runc.state(c.id));
  expect(gone, `after delete the runtime no longer knows the id (${RUNC}: Runc.delete), got ${describeError(gone)}`).toBeInstanceOf(NotFoundError);
  expect(await runc.list(), `list() is empty again after delete (${RUNC}: runc prints "null" for no containers)`).toEqual([]);
});

it.skipIf(runcTool.skip)('state of an unknown container is a not-found error, and deleting it is no error', async () => {
  requireTool(runcTool);
  const runc = runtime();
  const err = await rejectionOf(runc.state('no-such-container'));
  expect(err, `state of an unknown id must throw NotFoundError from errdefs.ts (${RUNC}: Runc.state), got ${describeError(err)}`).toBeInstanceOf(NotFoundError);
  expect((err as Error).message, `the message names the container (${RUNC}: Runc.state)`).toBe('container no-such-container does not exist');
  const deleted = await rejectionOf(runc.delete('no-such-container', { force: true }));
  expect(deleted, `delete of an id that is already gone resolves (${RUNC}: Runc.delete), got ${describeError(deleted)}`).toBeInstanceOf(Error);
  expect((deleted as Error).message, `delete of an id that is already gone resolves (${RUNC}: Runc.delete)`).toBe('(resolved without an error)');
  expect(await runc.list(), `list() of an empty root is [] (${RUNC}: Runc.list)`).toEqual([]);
});

it.skipIf(runcTool.skip)("runtime errors carry runc's own message, from create and from startTask", async () => {
  requireTool(runcTool);
  const runc = runtime();
  const c = await container(runc, { args: ['no-such-command'] });
  const created = await rejectionOf(runc.create(c.id, c.bundle));
  expect(created, `create of a missing executable must throw RuntimeError (${RUNC}: Runc.create), got ${describeError(created)}`).toBeInstanceOf(RuntimeError);
  expect((created as Error).message, `the message is runc's "msg" from --log-format json, not the raw JSON line (${RUNC}: lastRuntimeError)`).toMatch(/^[^{]*exec: "no-such-command": executable file not found in \$PATH/);
  await runc.delete(c.id, { force: true });
  const started = await rejectionOf(startTask(runc, { id: c.id, dir: c.dir, bundle: c.bundle }));
  expect(started, `startTask must reject with RuntimeError when runc run fails before the pid file appears (${TASK}: startTask), got ${describeError(started)}`).toBeInstanceOf(RuntimeError);
  expect((started as Error).message, `the message is the last error line of <dir>/runtime.log (${TASK}: startTask reads it once the shim exited)`).toMatch(/executable file not found in \$PATH/);
  expect((await runc.list()).map((s) => s.id), `nothing is left in the runtime after a failed start`).not.toContain(c.id);
  // A mount command that cannot succeed (no such lowerdir; without root, no mount at all): the shim stops before the runtime.
  const mount = ['mount', '-t', 'overlay', 'overlay', '-o', `lowerdir=${path.join(tmp, 'no-such-lower')},upperdir=${c.dir},workdir=${c.dir}`, c.rootfs];
  const unmounted = await rejectionOf(startTask(runc, { id: c.id, dir: c.dir, bundle: c.bundle, mount }));
  expect(unmounted, `startTask must reject with RuntimeError when the shim's mount command fails (${TASK}: startTask passes TaskOptions.mount to shim.sh: <n> and the mount's n words), got ${describeError(unmounted)}`).toBeInstanceOf(RuntimeError);
  expect((unmounted as Error).message, `a failed mount says so, with mount's own words from <dir>/mount.log, not the shim's exit status (${TASK}: startTask)`).toMatch(/mount/);
  expect((unmounted as Error).message, `a failed mount is not a runtime failure (${TASK}: startTask)`).not.toMatch(/exited with status|executable file not found/);
});

// ---------------------------------------------------------------- tasks

it.skipIf(runcTool.skip)("a task's stdout and stderr arrive separately, with its exit code (128 + n after signal n)", async () => {
  requireTool(runcTool);
  const runc = runtime();
  const c = await container(runc, { args: ['sh', '-c', 'echo out; echo err >&2; echo more; exit 3'] });
  const task = await startTask(runc, { id: c.id, dir: c.dir, bundle: c.bundle });
  expect(task.pid, `Task.pid is the container's process from <dir>/pid (${TASK}: startTask)`).toBeGreaterThan(1);
  const { stdout, stderr, status } = await finish(task);
  expect(stdout, `stdout comes from the <dir>/stdout fifo (${TASK}: startTask opens readers with openFifoReader once the shim made the fifos)`).toBe('out\nmore\n');
  expect(stderr, `stderr comes from the <dir>/stderr fifo, separately (${TASK}: startTask)`).toBe('err\n');
  expect(status.exitCode, `exited resolves with the status the shim wrote to <dir>/exit (${TASK}: exited)`).toBe(3);
  expect(status.finishedAt, `finishedAt is a Date (${TASK}: exited)`).toBeInstanceOf(Date);
  expect(fs.readFileSync(path.join(c.dir, 'exit'), 'utf8').trim(), `<dir>/exit holds the status: the given shim.sh writes it once runc run returned, if ${TASK}: startTask spawned /bin/sh SHIM_PATH with its arguments in order`).toBe('3');

  const sleeper = await container(runc, { args: ['sleep', '600'] });
  const killed = await startTask(runc, { id: sleeper.id, dir: sleeper.dir, bundle: sleeper.bundle });
  expect((await runc.state(sleeper.id)).status, `the task's container is running in the runtime (${TASK}: startTask runs \`runc run\` with --root of this Runc)`).toBe('running');
  await runc.kill(sleeper.id, 'SIGKILL');
  const end = await finish(killed);
  expect(end.status.exitCode, `SIGKILL (9) gives 137, the status runc run exits with (${TASK}: exited; ${RUNC}: Runc.kill)`).toBe(128 + 9);
});

it.skipIf(runcTool.skip)('stdin reaches the container, and end() closes it', async () => {
  requireTool(runcTool);
  const runc = runtime();
  const c = await container(runc, { args: ['sh', '-c', 'while read line; do echo "got $line"; done; echo eof'] });
  const task = await startTask(runc, { id: c.id, dir: c.dir, bundle: c.bundle, stdin: true });
  expect(task.stdin, `with stdin: true the task has a stdin Writable (${TASK}: startTask opens <dir>/stdin read-write before spawning)`).toBeDefined();
  task.stdin?.write('one\n');
  task.stdin?.end('two\n');
  const { stdout, status } = await finish(task);
  expect(stdout, `the container reads what was written, then end-of-file once stdin is closed (${TASK}: startTask)`).toBe('got one\ngot two\neof\n');
  expect(status.exitCode, `the shell exits 0 after end-of-file (${TASK}: exited)`).toBe(0);
});

it.skipIf(runcTool.skip || scriptTool.skip)('a terminal task gives its process a tty of the size asked for, with stdin, resize and the exit code', async () => {
  requireTool(runcTool);
  requireTool(scriptTool);
  const runc = runtime();
  // No consoleSize in this bundle: the size can only come from the terminal the shim gives the runtime,
  // which the runtime copies to the container's a moment after it started. The loop waits for that.
  const probe = await container(runc, {
    args: ['sh', '-c', '[ -t 0 ] && [ -t 1 ] && tty; i=0; while [ $i -lt 100 ]; do case $(stty size 2>/dev/null) in [1-9]*) break;; esac; sleep 0.02; i=$((i+1)); done; stty size; echo hi; echo oops >&2; exit 3'],
    terminal: true,
  });
  const started = await startTask(runc, { id: probe.id, dir: probe.dir, bundle: probe.bundle, terminal: true, consoleSize: { height: 33, width: 120 } }).catch((e: unknown) => e);
  expect(started, `with terminal: true (config.json has process.terminal) runc run needs a terminal of its own: the shim runs it under script(1) (${TASK}: startTask passes 'terminal' to shim.sh), got ${describeError(started)}`).not.toBeInstanceOf(Error);
  const { stdout, stderr, status } = await finish(started as Task);
  expect(stdout, `stdin and stdout are a terminal (tty prints /dev/pts/0) of the size asked for (rows 33, columns 120: spawn the shim with env shimEnvironment(consoleSize)), and a terminal ends lines with "\\r\\n" and merges stderr into stdout (${TASK}: startTask with terminal)`).toBe('/dev/pts/0\r\n33 120\r\nhi\r\noops\r\n');
  expect(stderr, `with a terminal nothing comes on stderr (${TASK})`).toBe('');
  expect(status.exitCode, `the exit code is the container's, not script's (${TASK}: exited)`).toBe(3);
  const shell = await container(runc, { args: ['sh'], terminal: true, consoleSize: { height: 24, width: 80 } });
  const task = await startTask(runc, { id: shell.id, dir: shell.dir, bundle: shell.bundle, stdin: true, terminal: true, consoleSize: { height: 24, width: 80 } });
  expect(task.stdin, `stdin: true with terminal: true gives a stdin Writable that feeds the terminal (${TASK}: startTask)`).toBeDefined();
  await resizeTerminal(shell.dir, { height: 40, width: 100 });
  task.stdin?.write('echo hello\nuntil [ "$(stty size)" = "40 100" ]; do sleep 0.05; done; echo resized\nexit 5\n');
  // Only so a shell that never gets the typed lines fails with what it printed instead of hanging: kill it after a while.
  const guard = setTimeout(() => void runc.kill(shell.id, 'SIGKILL').catch(() => undefined), 10_000);
  const typed = await finish(task).finally(() => clearTimeout(guard));
  expect(typed.stdout, `an interactive shell reads the typed lines from its terminal and prints "hello" on a line of its own (${TASK}: startTask with stdin and terminal)`).toMatch(/(^|\n)hello\r\n/);
  expect(typed.stdout, `resizeTerminal resizes the runtime's terminal, and the runtime the container's: stty size reads 40 100 (${TASK}: startTask with terminal)`).toMatch(/(^|\n)resized\r\n/);
  expect(typed.status.exitCode, `"exit 5" typed into the shell is the task's exit code (${TASK}: exited)`).toBe(5);
});

// ---------------------------------------------------------------- json-file log

it("json-file lines have docker's shape: log, stream and an RFC3339Nano time", async () => {
  const file = path.join(tmp, 'container-json.log');
  const log = await JsonFileLog.open(file);
  const seen: LogEntry[] = [];
  log.on('entry', (e: LogEntry) => seen.push(e));
  log.write('stdout', Buffer.from('hel'));
  log.write('stderr', Buffer.from('oops\n'));
  log.write('stdout', Buffer.from('lo\nwor'));
  expect(fs.readFileSync(file, 'utf8').split('\n').filter(Boolean), `a partial line waits for its "\\n" (${LOG}: JsonFileLog.write)`).toHaveLength(2);
  log.close();
  expect(log.closed, `closed is true after close() (${LOG}: JsonFileLog.close)`).toBe(true);
  const lines = fs.readFileSync(file, 'utf8').split('\n');
  expect(lines.at(-1), `every entry ends with "\\n" (${LOG}: JsonFileLog.write appends one JSON object per line)`).toBe('');
  const parsed = lines.filter(Boolean).map((l) => JSON.parse(l) as Record<string, string>);
  expect(parsed.map((p) => [p.log, p.stream]), `the entries, in order, partial "wor" flushed on close (${LOG}: JsonFileLog)`).toEqual([
    ['oops\n', 'stderr'],
    ['hello\n', 'stdout'],
    ['wor', 'stdout'],
  ]);
  for (const p of parsed) {
    expect(Object.keys(p), `docker's keys, in docker's order: log, stream, time (${LOG}: JsonFileLog.write)`).toEqual(['log', 'stream', 'time']);
    expect(p.time, `time is RFC3339Nano in UTC, like 2026-01-02T03:04:05.123456789Z (${LOG}: nowRFC3339Nano)`).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d{1,9})?Z$/);
    expect(Math.abs(Date.parse(p.time ?? '') - Date.now()), `time is now (${LOG}: nowRFC3339Nano)`).toBeLessThan(60_000);
  }
  expect(parsed.some((p) => /\.\d{4,9}Z$/.test(p.time ?? '')), `times carry more than milliseconds (${LOG}: nowRFC3339Nano)`).toBe(true);
  expect(seen.map((e) => [e.stream, e.log.toString()]), `an 'entry' event follows each append (${LOG}: JsonFileLog)`).toEqual(parsed.map((p) => [p.stream, p.log]));
});

it('readLog returns the last N lines with tail, and filters by since', async () => {
  const file = path.join(tmp, 'container-json.log');
  const old = { stream: 'stdout', time: '2020-01-01T00:00:00.5Z' };
  const lines = Array.from({ length: 5000 }, (_, i) => JSON.stringify({ log: `line ${i} ${'x'.repeat(40)}\n`, ...old }));
  fs.writeFileSync(file, `${lines.join('\n')}\n`);
  const log = await JsonFileLog.open(file);
  log.write('stderr', Buffer.from('new 1\nnew 2\n'));
  log.close();
  const texts = async (options: Parameters<typeof readLog>[1]) => {
    const out: string[] = [];
    for await (const e of readLog(file, options)) out.push(`${e.stream}:${e.log.toString()}`);
    return out;
  };
  expect(await texts({ tail: 3 }), `tail 3 gives the last three lines, oldest first (${LOG}: readLog reads backwards from the end)`).toEqual([
    `stdout:line 4999 ${'x'.repeat(40)}\n`,
    'stderr:new 1\n',
    'stderr:new 2\n',
  ]);
  expect(await texts({ tail: 0 }), `tail 0 gives nothing (${LOG}: readLog)`).toEqual([]);
  expect(await texts({}), `no tail gives every line (${LOG}: readLog)`).toHaveLength(5002);
  expect(await texts({ since: Date.parse('2020-01-01T00:00:01Z') / 1000 }), `since (unix seconds) drops older entries (${LOG}: readLog)`).toEqual(['stderr:new 1\n', 'stderr:new 2\n']);
  expect(await texts({ since: Date.parse('2020-01-01T00:00:00Z') / 1000 + 0.4 }), `since compares below the second: .5 is after .4 (${LOG}: readLog)`).toHaveLength(5002);
  expect(await texts({ until: Date.parse('2020-01-01T00:00:01Z') / 1000 }), `until drops later entries (${LOG}: readLog)`).toHaveLength(5000);
  expect(await texts({ tail: 2, since: 0 }), `tail and since combine (${LOG}: readLog)`).toEqual(['stderr:new 1\n', 'stderr:new 2\n']);
  const missing: LogEntry[] = [];
  for await (const e of readLog(path.join(tmp, 'none.log'))) missing.push(e);
  expect(missing, `a missing file gives no entries (${LOG}: readLog)`).toEqual([]);
});

it('followLog sees lines written later, without gap or duplicate, and ends on close', async () => {
  const file = path.join(tmp, 'container-json.log');
  const log = await JsonFileLog.open(file);
  for (let i = 0; i < 3; i++) log.write('stdout', Buffer.from(`before ${i}\n`));
  const got: string[] = [];
  const following = (async () => {
    for await (const e of followLog(file, log, { tail: 2 })) {
      got.push(e.log.toString());
      // Written while the file part is being read and after: each must come exactly once.
      if (e.log.toString() === 'before 1\n') log.write('stdout', Buffer.from('during\n'));
      if (e.log.toString() === 'during\n') {
        log.write('stderr', Buffer.from('after 1\nafter 2\n'));
        log.close();
      }
    }
  })();
  // Only so a broken follow fails with what it got instead of hanging: close the log after a while.
  const guard = setTimeout(() => log.close(), 5_000);
  await following;
  clearTimeout(guard);
  expect(got, `tail 2 of the file, then the live entries until close, none missing, none twice (${LOG}: followLog)`).toEqual([
    'before 1\n',
    'before 2\n',
    'during\n',
    'after 1\n',
    'after 2\n',
  ]);
  const closedFollow: string[] = [];
  for await (const e of followLog(file, log)) closedFollow.push(e.log.toString());
  expect(closedFollow, `following a closed log just reads the file (${LOG}: followLog)`).toHaveLength(6);
});

/**
 * The log files in `dir` (`container-json.log`, `.1`, …), each file's `log`
 * texts, oldest file first; checks docker's size rule on each: a file takes an
 * entry only while below max-size, and was rotated only once it reached it.
 */
function rotatedFiles(dir: string, maxSize: number, maxFiles: number, why: string): string[][] {
  const base = 'container-json.log';
  const names = fs.readdirSync(dir).sort();
  const expected = Array.from({ length: maxFiles }, (_, n) => (n === 0 ? base : `${base}.${n}`)).sort();
  expect(names, `with max-file ${maxFiles} there are ${maxFiles} files, ${base} and ${base}.1 … .${maxFiles - 1}, nothing else (${LOG}: JsonFileLog.rotate) ${why}`).toEqual(expected);
  return [...expected].reverse().map((name, i, all) => {
    const text = fs.readFileSync(path.join(dir, name), 'utf8');
    const lines = text.split('\n');
    expect(lines.pop(), `${name} ends with a whole line (${LOG}: JsonFileLog.append) ${why}`).toBe('');
    const size = Buffer.byteLength(text);
    const last = Buffer.byteLength(`${lines.at(-1) ?? ''}\n`);
    expect(size - last, `${name} (${size} bytes) took its last entry while below max-size ${maxSize}: docker rotates before the write once a file reached max-size, so a file ends at most one entry past it; count bytes, not characters (${LOG}: JsonFileLog.append) ${why}`).toBeLessThan(maxSize);
    if (i < all.length - 1) {
      expect(size, `${name} was rotated only once it reached max-size ${maxSize} (${LOG}: JsonFileLog.append) ${why}`).toBeGreaterThanOrEqual(maxSize);
    }
    return lines.map((line) => (JSON.parse(line) as { log: string }).log);
  });
}

it('max-size and max-file rotate the log and readLog reads across the files', async () => {
  const { why, int: between } = seeded();
  // Multi-byte characters and JSON escapes: max-size counts the bytes of the file.
  const alphabet = [...'abcdefghijklmnopqrstuvwxyz0123456789 "\\\té✓€ü'];
  let made = 0;
  const payload = () => `${made++} ${Array.from({ length: between(8, 80) }, () => alphabet[between(0, alphabet.length - 1)]).join('')}\n`;
  const maxSize = between(900, 1200);
  const texts = async (file: string, options?: Parameters<typeof readLog>[1]) => {
    const out: string[] = [];
    for await (const e of readLog(file, options)) out.push(e.log.toString('utf8'));
    return out;
  };

  // max-file 3, and a follower that starts before the rotations it lives through.
  const dir3 = path.join(tmp, 'three');
  await fsp.mkdir(dir3);
  const file3 = path.join(dir3, 'container-json.log');
  const log = await JsonFileLog.open(file3, { maxSize, maxFiles: 3 });
  const written: string[] = [];
  const put = (target: JsonFileLog, text: string) => {
    written.push(text);
    target.write(between(0, 1) === 0 ? 'stdout' : 'stderr', Buffer.from(text));
  };
  for (let i = 0; i < 40 && !fs.existsSync(`${file3}.1`); i++) put(log, payload());
  expect(fs.existsSync(`${file3}.1`), `once the file reached max-size ${maxSize}, the next entry goes to a fresh file and the full one becomes .1 (${LOG}: JsonFileLog.append, rotate) ${why}`).toBe(true);
  put(log, payload());
  // The follower's tail: every line of the current file and one of .1, so it must have every file open before it yields.
  const tail = fs.readFileSync(file3, 'utf8').split('\n').length;
  const from = written.length - tail;
  const bulk = between(50, 80);
  const followed: string[] = [];
  const following = (async () => {
    for await (const e of followLog(file3, log, { tail })) {
      followed.push(e.log.toString('utf8'));
      // While the follower reads: rotations move its files to .2, then remove them.
      if (followed.length === 1) {
        for (let i = 0; i < bulk; i++) put(log, payload());
        log.close();
      }
    }
  })();
  // Only so a broken follow fails with what it got instead of hanging: close the log after a while.
  const guard = setTimeout(() => log.close(), 5_000);
  await following;
  clearTimeout(guard);
  expect(followed, `a follower with tail ${tail} (from .1 on) gets those lines, then every later line once, in order, while its files are rotated away (${LOG}: followLog takes openLogFiles before any await, readRange counts the tail across files, rotate() renames and never truncates) ${why}`).toEqual(written.slice(from));

  const kept = rotatedFiles(dir3, maxSize, 3, why);
  const all = kept.flat();
  expect(all.length, `the oldest entries are gone: ${written.length} written, the three files keep fewer (${LOG}: JsonFileLog.rotate removes the oldest file) ${why}`).toBeLessThan(written.length);
  expect(all, `the files hold the newest entries, oldest file first (.2, .1, then the current one) (${LOG}: JsonFileLog.rotate) ${why}`).toEqual(written.slice(-all.length));
  expect(await texts(file3), `readLog reads the rotated files oldest first, then the current one (${LOG}: readLog) ${why}`).toEqual(all);
  const [, one = [], current = []] = kept;
  const across = current.length + between(1, all.length - current.length);
  expect(await texts(file3, { tail: across }), `tail ${across} counts back across the files (${LOG}: readRange, tailStart's count) ${why}`).toEqual(all.slice(-across));
  const boundary = current.length + one.length;
  expect(await texts(file3, { tail: boundary }), `tail ${boundary}: the current file and all of .1 (${LOG}: readRange) ${why}`).toEqual(all.slice(-boundary));
  expect(await texts(file3, { tail: all.length + 5 }), `a tail longer than the log gives all of it (${LOG}: readRange) ${why}`).toEqual(all);

  // max-file 2: a reopened log counts the bytes already in its file.
  const dir2 = path.join(tmp, 'two');
  await fsp.mkdir(dir2);
  const file2 = path.join(dir2, 'container-json.log');
  written.length = 0;
  let log2 = await JsonFileLog.open(file2, { maxSize, maxFiles: 2 });
  for (let i = 0; i < 40 && fs.statSync(file2).size < maxSize && !fs.existsSync(`${file2}.1`); i++) put(log2, payload());
  expect(fs.existsSync(`${file2}.1`) ? 'rotated' : fs.statSync(file2).size >= maxSize, `a file reaches max-size before it rotates: docker rotates before the next entry, not after the one that reached it (${LOG}: JsonFileLog.append) ${why}`).toBe(true);
  log2.close();
  const before = fs.readFileSync(file2, 'utf8');
  log2 = await JsonFileLog.open(file2, { maxSize, maxFiles: 2 });
  put(log2, payload());
  expect(fs.existsSync(`${file2}.1`) ? fs.readFileSync(`${file2}.1`, 'utf8') : 'no .1', `a log reopened over a file at max-size rotates before its first entry: open takes the file's size (${LOG}: JsonFileLog.open) ${why}`).toBe(before);
  for (let i = between(30, 50); i > 0; i--) put(log2, payload());
  log2.close();
  const all2 = rotatedFiles(dir2, maxSize, 2, why).flat();
  expect(all2, `with max-file 2 the two files hold the newest entries, .1 first (${LOG}: JsonFileLog.rotate) ${why}`).toEqual(written.slice(-all2.length));
  expect(await texts(file2), `readLog reads .1, then the current file (${LOG}: readLog) ${why}`).toEqual(all2);

  // max-file 1: the full file makes way for a fresh one.
  const dir1 = path.join(tmp, 'one');
  await fsp.mkdir(dir1);
  const file1 = path.join(dir1, 'container-json.log');
  written.length = 0;
  const log1 = await JsonFileLog.open(file1, { maxSize, maxFiles: 1 });
  for (let i = between(20, 40); i > 0; i--) put(log1, payload());
  log1.close();
  const all1 = rotatedFiles(dir1, maxSize, 1, why).flat();
  expect(all1.length, `with max-file 1 only the newest entries stay (${LOG}: JsonFileLog.rotate) ${why}`).toBeLessThan(written.length);
  expect(await texts(file1), `readLog reads the one file: the newest entries (${LOG}: readLog) ${why}`).toEqual(written.slice(-all1.length));
});

// ---------------------------------------------------------------- adoption

it.skipIf(runcTool.skip)('a re-adopted task keeps the output written while nobody was reading', async () => {
  requireTool(runcTool);
  const runc = runtime();
  const script = [
    'echo first',
    'until [ -e /go1 ]; do usleep 10000; done',
    'echo second; echo second-err >&2; touch /wrote',
    'until [ -e /go2 ]; do usleep 10000; done',
    'echo third; exit 7',
  ].join('\n');
  const c = await container(runc, { args: ['sh', '-c', script] });
  const task = await startTask(runc, { id: c.id, dir: c.dir, bundle: c.bundle });
  expect(await readUntil(task.stdout, 'first\n'), `the first line arrives (${TASK}: startTask)`).toBe('first\n');
  // The daemon forgets everything: its fifo readers are closed.
  task.stdout.destroy();
  task.stderr.destroy();
  fs.writeFileSync(path.join(c.rootfs, 'go1'), '');
  await waitForFile(path.join(c.rootfs, 'wrote'));
  const adopted = await adoptTask(runc, { id: c.id, dir: c.dir, bundle: c.bundle });
  expect(isExitStatus(adopted), `a running container is adopted as a Task (${TASK}: adoptTask finds the live shim)`).toBe(false);
  const again = adopted as Task;
  expect(again.pid, `the adopted task has the same container pid (${TASK}: adoptTask reads <dir>/pid)`).toBe(task.pid);
  fs.writeFileSync(path.join(c.rootfs, 'go2'), '');
  const { stdout, stderr, status } = await finish(again);
  expect(stdout, `output written while nobody read waited in the fifo (the shim holds it open read-write) (${TASK}: adoptTask re-opens with openFifoReader)`).toBe('second\nthird\n');
  expect(stderr, `stderr too (${TASK}: adoptTask)`).toBe('second-err\n');
  expect(status.exitCode, `the adopted task reports the exit code (${TASK}: exited)`).toBe(7);
});

it.skipIf(runcTool.skip)('adopting a task that exited meanwhile reports its exit code, and a vanished one 255', async () => {
  requireTool(runcTool);
  const runc = runtime();
  const c = await container(runc, { args: ['sh', '-c', 'echo bye; exit 5'] });
  const task = await startTask(runc, { id: c.id, dir: c.dir, bundle: c.bundle });
  task.stdout.destroy();
  task.stderr.destroy();
  await waitForFile(path.join(c.dir, 'exit'));
  const adopted = await adoptTask(runc, { id: c.id, dir: c.dir, bundle: c.bundle });
  expect(isExitStatus(adopted) ? adopted.exitCode : 'a Task', `an exited container is adopted as its ExitStatus from <dir>/exit (${TASK}: adoptTask)`).toBe(5);
  const empty = path.join(tmp, 'containers', 'vanished');
  await fsp.mkdir(empty, { recursive: true });
  const vanished = await adoptTask(runc, { id: 'vanished', dir: empty, bundle: path.join(empty, 'bundle') });
  expect(isExitStatus(vanished) ? vanished.exitCode : 'a Task', `no exit file and no shim: exit code 255 (${TASK}: adoptTask)`).toBe(255);
});

// ---------------------------------------------------------------- isolation

it.skipIf(runcTool.skip)("pid 1 inside is the container's process and the hostname is its own", async () => {
  requireTool(runcTool);
  const runc = runtime();
  const c = await container(runc, { args: ['sh', '-c', 'echo $$; hostname; tr "\\0" " " </proc/1/cmdline; echo'], hostname: 'box-11' });
  const task = await startTask(runc, { id: c.id, dir: c.dir, bundle: c.bundle });
  const { stdout, status } = await finish(task);
  expect(stdout.split('\n'), `the container's shell is pid 1 in its own pid namespace, under the hostname of config.json (${TASK}: startTask must run the bundle through runc, not the command on the host)`).toEqual(['1', 'box-11', 'sh -c echo $$; hostname; tr "\\0" " " </proc/1/cmdline; echo ', '']);
  expect(os.hostname(), 'the host keeps its own hostname').not.toBe('box-11');
  expect(status.exitCode, `exit 0 (${TASK})`).toBe(0);
});

it.skipIf(runcTool.skip)('nothing outside the rootfs is writable from inside', async () => {
  requireTool(runcTool);
  const runc = runtime();
  const token = randomBytes(6).toString('hex');
  const script = [
    '(echo inside > /escape-$1) 2>/dev/null && echo root:written || echo root:refused',
    // Each write puts back the value it read: harmless even where it wrongly succeeds.
    'v=$(cat /proc/sys/kernel/domainname); (echo "$v" > /proc/sys/kernel/domainname) 2>/dev/null && echo procsys:written || echo procsys:refused',
    'v=$(cat /sys/kernel/profiling); (echo "$v" > /sys/kernel/profiling) 2>/dev/null && echo sys:written || echo sys:refused',
  ].join('\n');
  const c = await container(runc, { args: ['sh', '-c', script, 'sh', token] });
  const hostFile = `/escape-${token}`;
  // As root, as the daemon runs it: on an overlay the shim mounts (TaskOptions.mount) over the image's tree.
  const overlay = isRoot ? await overlayRootfs(c) : undefined;
  try {
    const task = await startTask(runc, { id: c.id, dir: c.dir, bundle: c.bundle, ...(overlay ? { mount: overlay.mount } : {}) });
    const { stdout } = await finish(task);
    expect(stdout, `inside, / is the rootfs (writable), /proc/sys and /sys are read-only (${TASK}: startTask runs the bundle through runc)`).toBe('root:written\nprocsys:refused\nsys:refused\n');
    expect(fs.existsSync(hostFile), "the host's / was not touched").toBe(false);
    if (!overlay) {
      expect(fs.readFileSync(path.join(c.rootfs, `escape-${token}`), 'utf8'), 'the write to / landed in the bundle rootfs').toBe('inside\n');
      return;
    }
    expect(fs.readFileSync(path.join(overlay.upper, `escape-${token}`), 'utf8'), `the write to / landed in the overlay's upper dir: the shim mounted TaskOptions.mount before the runtime (${TASK}: startTask)`).toBe('inside\n');
    expect(fs.existsSync(path.join(overlay.lower, `escape-${token}`)), "the image's tree (lowerdir) was not touched").toBe(false);
    expect(isMounted(c.rootfs), `the shim unmounts the rootfs once the runtime exited, before <dir>/exit appears (the given shim.sh does, with the mount command ${TASK}: startTask passed)`).toBe(false);
  } finally {
    fs.rmSync(hostFile, { force: true });
    if (isMounted(c.rootfs)) execFileSync('umount', ['-l', c.rootfs]);
  }
});

it.skipIf(runcTool.skip || !isRoot)('cgroup limits: a memory hog is OOM-killed (137) and a fork bomb hits the pids limit', async () => {
  requireTool(runcTool);
  const runc = runtime();
  const hog = await container(runc, {
    args: ['dd', 'if=/dev/zero', 'of=/dev/null', 'bs=64M', 'count=1'],
    resources: { memory: { limit: 32 * 1024 * 1024 } },
  });
  const hogTask = await startTask(runc, { id: hog.id, dir: hog.dir, bundle: hog.bundle });
  const hogEnd = await finish(hogTask);
  expect(hogEnd.status.exitCode, `a 64 MiB buffer under a 32 MiB limit is killed by the OOM killer: SIGKILL, 137 (${TASK}: exited)`).toBe(137);
  const bomb = await container(runc, {
    args: ['sh', '-c', 'i=0; while [ $i -lt 64 ]; do sleep 600 & i=$((i+1)); done; echo all-forked'],
    resources: { pids: { limit: 16 } },
  });
  const bombTask = await startTask(runc, { id: bomb.id, dir: bomb.dir, bundle: bomb.bundle });
  const bombEnd = await finish(bombTask);
  expect(bombEnd.stdout, `the pids limit (16) stops the fork loop before 64 processes (${TASK})`).not.toContain('all-forked');
  expect(bombEnd.stderr, `the shell reports that it cannot fork (${TASK}: stderr)`).toMatch(/can't fork|Resource temporarily unavailable/);
});

it.skipIf(crunTool.skip)('crun through the runtime option runs the same container', async (ctx) => {
  requireTool(crunTool);
  const found = await crunCommand(tmp);
  if ('skip' in found) return ctx.skip(found.skip);
  const crun = new Runc({ binary: found.command, root: path.join(tmp, 'runtime', 'crun') });
  const err = await rejectionOf(crun.state('no-such-container'));
  expect(err, `crun's "no such file" for an unknown id is a NotFoundError too (${RUNC}: Runc.state), got ${describeError(err)}`).toBeInstanceOf(NotFoundError);
  const c = await container(crun, { args: ['sh', '-c', 'echo out; echo err >&2; exit 4'] });
  const started = await startTask(crun, { id: c.id, dir: c.dir, bundle: c.bundle }).catch((e: unknown) => e);
  expect(started, `startTask with Runc({ binary: 'crun' }) runs crun (${TASK}, ${RUNC}: Runc.binary), got ${describeError(started)}`).not.toBeInstanceOf(Error);
  const { stdout, stderr, status } = await finish(started as Task);
  expect([stdout, stderr, status.exitCode], `same output and exit code as with runc (${TASK})`).toEqual(['out\n', 'err\n', 4]);
});
