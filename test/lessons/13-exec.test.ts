/**
 * Lesson 13 — exec. Graded checks.
 *
 * As in lesson 12, a reference registry serves busybox as docker.io's mirror
 * and each check starts the selected minidockerd as a process. Containers run
 * `sleep`; the checks exec into them through raw HTTP the way the docker CLI
 * (101 UPGRADED) and dockerode (a plain 200) do, then through minidocker, the
 * real docker CLI and testcontainers. Every container, shim, mount and temp
 * dir is removed after each check, also when it fails.
 */
import { spawn } from 'node:child_process';
import fs from 'node:fs/promises';
import path from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { ContainerDaemons, MirrorFixture, api, demux, openAttach, runContainer, within } from '../support/container-harness.js';
import type { AttachConnection } from '../support/container-harness.js';
import type { DaemonProcess } from '../support/daemon-harness.js';
import { dockerCli } from '../support/docker-cli.js';
import { prerequisite, requireTool } from '../support/prereq.js';
import { seeded } from '../support/seeded.js';
import { registerHealthChecks } from './13-exec/health.js';
import { registerProcessChecks } from './13-exec/processes.js';
import { minidocker as runMinidocker } from '../support/minidocker-cli.js';
import type { CliResult } from '../support/docker-cli.js';

const mirror = new MirrorFixture();
const daemons = new ContainerDaemons(mirror);
const docker = prerequisite('docker', 'install the docker CLI: https://docs.docker.com/engine/install/');
const scriptTool = prerequisite('script', 'apt-get install bsdutils (util-linux)');
const root = process.getuid?.() === 0;

beforeAll(() => mirror.start(), 120_000);
afterEach(() => daemons.cleanup(), 60_000);
afterAll(() => mirror.cleanup());

const HEX64 = /^[0-9a-f]{64}$/;
const SERVICE = 'src/daemon/exec/exec-service.ts';
const ROUTES = 'src/daemon/routes/exec.ts';
const PROCESS = 'src/runtime/exec-process.ts';

/** A daemon with busybox pulled. */
async function daemonWithBusybox(): Promise<DaemonProcess> {
  const daemon = await daemons.start();
  await daemons.pull(daemon, 'busybox');
  return daemon;
}

/** `POST /containers/{id}/exec`; expects 201 and returns the exec's id. */
async function createExec(daemon: DaemonProcess, container: string, body: Record<string, unknown>): Promise<string> {
  const res = await api<{ Id: string }>(daemon, 'POST', `/v1.41/containers/${container}/exec`, body);
  expect(res.status, `POST /containers/{id}/exec should answer 201 {Id}; it said ${res.status} ${res.text.slice(0, 300)} — ${ROUTES} postContainerExecCreate, ${SERVICE} create`).toBe(201);
  expect(res.body.Id, `the exec's Id is 64 hex digits — ${SERVICE} create (newExecId)`).toMatch(HEX64);
  return res.body.Id;
}

async function inspectExec(daemon: DaemonProcess, id: string): Promise<any> {
  const res = await api(daemon, 'GET', `/v1.41/exec/${id}/json`);
  expect(res.status, `GET /exec/{id}/json should answer 200; it said ${res.status} ${res.text.slice(0, 200)} — ${ROUTES} getExecByID, ${SERVICE} inspect`).toBe(200);
  return res.body;
}

/**
 * `POST /exec/{id}/start` on a connection of its own, with a JSON body: with
 * `upgrade` as the docker CLI sends it (Connection: Upgrade, Upgrade: tcp),
 * without as dockerode does. Resolves at the response head.
 */
function startExec(socketPath: string, id: string, body: Record<string, unknown>, upgrade = true, timeoutMs = 15_000): Promise<AttachConnection> {
  return openAttach(socketPath, `/v1.41/exec/${id}/start`, { body, upgrade, timeoutMs }).catch((err: unknown) => {
    throw new Error(`${err instanceof Error ? err.message : String(err)} — ${ROUTES} postExecStart`);
  });
}

/** Creates an exec (stdout and stderr attached unless `body` says otherwise), starts it, half-closes, and reads it to the end. */
async function runExec(daemon: DaemonProcess, container: string, body: Record<string, unknown>, upgrade = true) {
  const id = await createExec(daemon, container, { AttachStdout: true, AttachStderr: true, ...body });
  const conn = await startExec(daemon.socketPath, id, { Detach: false, Tty: false }, upgrade);
  try {
    expect(conn.statusLine, `exec start ${upgrade ? 'with' : 'without'} Upgrade should answer ${upgrade ? '"HTTP/1.1 101 UPGRADED"' : '"HTTP/1.1 200 OK"'}; got ${JSON.stringify(conn.statusLine)} — ${ROUTES} postExecStart (hijack)`).toBe(upgrade ? 'HTTP/1.1 101 UPGRADED' : 'HTTP/1.1 200 OK');
    if (upgrade) conn.socket.end(); // the docker CLI half-closes at once when stdin is not attached
    const raw = await within(conn.output, 20_000, `the exec's stream did not end after its process exited — ${ROUTES} postExecStart`);
    const inspect = await inspectExec(daemon, id);
    return { id, conn, raw, inspect, ...demux(raw) };
  } finally {
    conn.socket.destroy();
  }
}

/** The stdout of `sh -c script` run as an exec in `container`, with the exec's exit code. */
async function sh(daemon: DaemonProcess, container: string, script: string, extra: Record<string, unknown> = {}): Promise<{ stdout: string; stderr: string; code: number }> {
  const run = await runExec(daemon, container, { Cmd: ['sh', '-c', script], ...extra });
  return { stdout: run.stdout, stderr: run.stderr, code: run.inspect.ExitCode };
}

/** Polls `probe` every 100 ms until it returns true, or `ms` pass. */
async function eventually(probe: () => Promise<boolean>, ms: number): Promise<boolean> {
  const until = Date.now() + ms;
  for (;;) {
    if (await probe()) return true;
    if (Date.now() > until) return false;
    await new Promise((r) => setTimeout(r, 100));
  }
}

function minidocker(daemon: DaemonProcess, args: string[], timeoutMs = 30_000): Promise<CliResult> {
  return runMinidocker(daemon.socketPath, args, timeoutMs);
}

describe('lesson 13 — exec', () => {
  it('exec runs a command in a running container: stdout and stderr apart, and its exit code in inspect', async () => {
    const daemon = await daemonWithBusybox();
    const container = await runContainer(daemon);
    const script = 'echo out; echo err >&2; exit 3';
    const id = await createExec(daemon, container, { AttachStdout: true, AttachStderr: true, Cmd: ['sh', '-c', script] });
    const before = await inspectExec(daemon, id);
    expect(before, `a created exec has not run: Running false, ExitCode null, Pid 0, and docker's ProcessConfig — ${SERVICE} create, src/daemon/exec/exec-records.ts toExecInspect`).toMatchObject({
      ID: id, Running: false, ExitCode: null, Pid: 0, ContainerID: container, OpenStdin: false, OpenStdout: true, OpenStderr: true, CanRemove: false,
      ProcessConfig: { tty: false, entrypoint: 'sh', arguments: ['-c', script], privileged: false },
    });
    const conn = await startExec(daemon.socketPath, id, { Detach: false, Tty: false });
    try {
      expect(conn.statusLine, `exec start with Upgrade must answer "HTTP/1.1 101 UPGRADED" (the docker CLI requires 101); got ${JSON.stringify(conn.statusLine)} — ${ROUTES} postExecStart (hijack)`).toBe('HTTP/1.1 101 UPGRADED');
      expect(conn.head.toLowerCase(), 'the 101 carries Content-Type: application/vnd.docker.raw-stream').toContain('content-type: application/vnd.docker.raw-stream');
      conn.socket.end();
      const output = demux(await within(conn.output, 20_000, `the exec's stream was not closed after its process exited — ${ROUTES} postExecStart`));
      expect(output.stdout, `stdout arrives as stdout frames (type 1), written after the client half-closed — ${ROUTES} postExecStart`).toBe('out\n');
      expect(output.stderr, 'and stderr as stderr frames (type 2)').toBe('err\n');
    } finally {
      conn.socket.destroy();
    }
    const after = await inspectExec(daemon, id);
    expect([after.Running, after.ExitCode, after.Pid], `right after the stream closed, inspect shows Running false and the command's ExitCode (3) — ${SERVICE} #exited`).toEqual([false, 3, 0]);
    const quiet = await runExec(daemon, container, { Cmd: ['sh', '-c', 'echo shown; echo hidden >&2'], AttachStderr: false });
    expect([quiet.stdout, quiet.stderr], `only the attached streams are sent: AttachStderr false leaves stderr out — ${ROUTES} postExecStart`).toEqual(['shown\n', '']);
  }, 60_000);

  it("the exec's ExitCode is recorded before its stream ends, and a start without Upgrade answers 200 with the raw stream (dockerode)", async () => {
    const daemon = await daemonWithBusybox();
    const container = await runContainer(daemon);
    const rnd = seeded();
    for (let i = 0; i < 4; i++) {
      const code = rnd.int(1, 120);
      const upgrade = i % 2 === 1;
      const run = await runExec(daemon, container, { Cmd: ['sh', '-c', `echo run-${i}; exit ${code}`] }, upgrade);
      if (!upgrade) {
        const head = run.conn.head.toLowerCase();
        expect(head, `without Upgrade the 200 carries Content-Type: application/vnd.docker.raw-stream — ${ROUTES} postExecStart (hijack answers 200 then)`).toContain('content-type: application/vnd.docker.raw-stream');
        expect(head, `the 200 has no Content-Length and no Transfer-Encoding: its body is the raw stream, ended by closing the connection — ${ROUTES} postExecStart`).not.toMatch(/content-length|transfer-encoding/);
      }
      expect(run.stdout, `the stream carries the exec's output as frames ${upgrade ? 'after the 101' : 'as the body of the 200'}`).toBe(`run-${i}\n`);
      expect(run.inspect.ExitCode, `GET /exec/{id}/json right after the stream closed must show the exit code (${code}): record it before ending the stream ${rnd.why} — ${SERVICE} #exited, ${ROUTES} postExecStart`).toBe(code);
    }
  }, 90_000);

  it("an exec gets docker's environment, working dir and user: the container's Env and WorkingDir, under the exec's own", async () => {
    const daemon = await daemonWithBusybox();
    const container = await runContainer(daemon, 'sleep 300', { Env: ['FROM_CONTAINER=c', 'SHARED=container'], WorkingDir: '/tmp' });
    const hostname = container.slice(0, 12);
    const show = 'echo "$FROM_CONTAINER $SHARED ${NEW:-none} $HOSTNAME ${TERM:-noterm}"; pwd; id -u; case "$PATH" in */bin*) echo path;; esac';
    const plain = await sh(daemon, container, show);
    expect(plain.stdout, `without Env, WorkingDir or User an exec gets the container's Env (with PATH and HOSTNAME), its WorkingDir, its user (root), no TERM — ${SERVICE} create (mergeEnv), ${PROCESS}`).toBe(`c container none ${hostname} noterm\n/tmp\n0\npath\n`);
    const own = await sh(daemon, container, show, { Env: ['SHARED=exec', 'NEW=1'], WorkingDir: '/etc' });
    expect(own.stdout, `the exec's Env replaces the container's SHARED and adds NEW, its WorkingDir wins — ${SERVICE} create`).toBe(`c exec 1 ${hostname} noterm\n/etc\n0\npath\n`);
    if (root) {
      const nobody = await sh(daemon, container, 'id -u; id -g', { User: 'nobody' });
      expect(nobody.stdout, `User "nobody" is looked up in the container's /etc/passwd: uid and gid 65534 — ${SERVICE} create (resolveUser on <container dir>/bundle/rootfs)`).toBe('65534\n65534\n');
      const asNobody = await runContainer(daemon, 'sleep 300', { User: 'nobody' });
      expect((await sh(daemon, asNobody, 'id -u')).stdout, `without User an exec runs as the container's Config.User (nobody) — ${SERVICE} create`).toBe('65534\n');
      expect((await sh(daemon, asNobody, 'id -u', { User: '0' })).stdout, "User \"0\" overrides the container's").toBe('0\n');
    }
    const unknown = await api<{ message: string }>(daemon, 'POST', `/v1.41/containers/${container}/exec`, { Cmd: ['true'], User: 'nosuchuser' });
    expect([unknown.status, unknown.body?.message], `an unknown user is a 400 in resolveUser's words — ${SERVICE} create`).toEqual([400, 'unable to find user nosuchuser: no matching entries in passwd file']);
  }, 90_000);

  it("an exec joins the container's namespaces: it sees the container's processes, sockets, hostname and files, not the host's", async () => {
    const daemon = await daemonWithBusybox();
    const rnd = seeded();
    const port = rnd.int(2000, 30000);
    const container = await runContainer(daemon, `echo here > /tmp/marker; nc -l -p ${port} & exec sleep 300`);
    const hex = port.toString(16).toUpperCase().padStart(4, '0');
    const listens = new RegExp(`:${hex} [0-9A-F]+:0000 0A `);
    const listening = await eventually(async () => listens.test((await sh(daemon, container, 'cat /proc/net/tcp /proc/net/tcp6')).stdout), 10_000);
    expect(listening, `the container's nc listens on port ${port}: an exec's /proc/net/tcp must show it (LISTEN) — it joins the container's network namespace through runc exec ${rnd.why} — ${SERVICE} start (runArgs: runc.execArgs)`).toBe(true);
    const mirrorPort = Number(new URL(mirror.url).port).toString(16).toUpperCase().padStart(4, '0');
    expect((await sh(daemon, container, 'cat /proc/net/tcp /proc/net/tcp6')).stdout, "the host's sockets (the registry mirror's listener) are not in the exec's network namespace").not.toContain(`:${mirrorPort} `);
    const ps = (await sh(daemon, container, 'ps -o pid,args')).stdout;
    const sleeper = ps.split('\n').find((line) => line.includes('sleep 300'));
    expect(sleeper, `ps in the exec lists the container's "sleep 300"; it printed ${JSON.stringify(ps)} — ${SERVICE} start`).toBeDefined();
    expect(Number(sleeper?.trim().split(/\s+/)[0]), "with the container's own low pid: the exec is in its pid namespace").toBeLessThanOrEqual(5);
    expect(ps.trim().split('\n').length, `and none of the host's processes: only the container's few — ${SERVICE} start`).toBeLessThan(10);
    expect((await sh(daemon, container, 'hostname; cat /tmp/marker')).stdout, "its hostname is the container's, and it sees the file the container wrote (its mount namespace)").toBe(`${container.slice(0, 12)}\nhere\n`);
  }, 60_000);

  it("an exec keeps the container's capabilities, rlimits and no-new-privileges", async () => {
    const daemon = await daemonWithBusybox();
    const rnd = seeded();
    const soft = rnd.int(300, 900);
    // core, not nofile: a runc built with Go 1.19 raises an exec's soft nofile limit to its hard one by itself.
    const container = await runContainer(daemon, 'sleep 300', { HostConfig: { SecurityOpt: ['no-new-privileges'], Ulimits: [{ Name: 'core', Soft: soft * 1024, Hard: (soft + 100) * 1024 }] } });
    const status = (pid: string) => `grep -E '^(CapBnd|CapEff|CapPrm|NoNewPrivs)' /proc/${pid}/status; grep 'Max core file size' /proc/${pid}/limits`;
    const init = (await sh(daemon, container, status('1'))).stdout;
    expect(init, `the container runs with no-new-privileges and a core limit of ${soft * 1024}:${(soft + 100) * 1024} (lesson 12) ${rnd.why}`).toMatch(new RegExp(`NoNewPrivs:\\t1\\nMax core file size +${soft * 1024} +${(soft + 100) * 1024} `));
    const own = (await sh(daemon, container, status('self'))).stdout;
    expect(own, `the exec's process is the container's process with the exec's args, env, cwd and user: the same capability sets, NoNewPrivs and rlimits as the container's init ${rnd.why} — ${PROCESS} execProcess`).toBe(init);
  }, 60_000);

  it('a Tty exec gets a terminal of its ConsoleSize and TERM=xterm, and a resize reaches it', async () => {
    const daemon = await daemonWithBusybox();
    const container = await runContainer(daemon);
    const script = 'echo $TERM; tty; stty size; i=0; until [ "$(stty size)" = "40 100" ] || [ $i -ge 200 ]; do sleep 0.05; i=$((i+1)); done; stty size; echo to-stderr >&2';
    const id = await createExec(daemon, container, { Tty: true, AttachStdout: true, AttachStderr: true, ConsoleSize: [33, 120], Cmd: ['sh', '-c', script] });
    expect((await inspectExec(daemon, id)).ProcessConfig.tty, 'inspect shows ProcessConfig.tty true').toBe(true);
    const conn = await startExec(daemon.socketPath, id, { Detach: false, Tty: true });
    try {
      conn.socket.end();
      let seen = conn.early.toString();
      const sized = new Promise<void>((resolve) => {
        if (seen.includes('33 120')) resolve();
        conn.socket.on('data', (chunk: Buffer) => (seen += chunk.toString()).includes('33 120') && resolve());
      });
      await within(sized, 10_000, `a Tty exec should start with the create request's ConsoleSize (stty size printed "33 120"); it printed ${JSON.stringify(seen)} — ${SERVICE} start (startTask terminal, consoleSize), ${PROCESS}`);
      const resized = await api(daemon, 'POST', `/v1.41/exec/${id}/resize?h=40&w=100`);
      expect(resized.status, `POST /exec/{id}/resize?h=40&w=100 should answer 200; it said ${resized.status} ${resized.text} — ${SERVICE} resize`).toBe(200);
      const raw = (await within(conn.output, 15_000, `the stream of a Tty exec was not closed after it exited — ${ROUTES} postExecStart`)).toString();
      expect(raw, `with Tty the exec has a terminal and TERM=xterm, its output comes raw (unframed, stderr merged, CRLF), and the resize gave it 40 rows and 100 columns — ${SERVICE}, ${ROUTES}`).toMatch(/^xterm\r\n\/dev\/pts\/\d+\r\n33 120\r\n40 100\r\nto-stderr\r\n$/);
    } finally {
      conn.socket.destroy();
    }
    const late = await api(daemon, 'POST', `/v1.41/exec/${id}/resize?h=40&w=100`);
    expect(late.status, `resizing an exec that ended is a 409 — ${SERVICE} resize`).toBe(409);
    const plain = await createExec(daemon, container, { Cmd: ['sleep', '5'] });
    expect((await api(daemon, 'POST', `/v1.41/exec/${plain}/start`, { Detach: true })).status, 'a detached start answers 200').toBe(200);
    const noTty = await api(daemon, 'POST', `/v1.41/exec/${plain}/resize?h=40&w=100`);
    expect(noTty.status, `resizing a running exec without a Tty is a 400 — ${SERVICE} resize`).toBe(400);
  }, 60_000);

  it("stdin reaches the exec with AttachStdin: the client's half-close closes it, and a Tty's detach keys leave it running", async () => {
    const daemon = await daemonWithBusybox();
    const container = await runContainer(daemon);
    const catId = await createExec(daemon, container, { AttachStdin: true, AttachStdout: true, AttachStderr: true, Cmd: ['sh', '-c', 'cat; echo done'] });
    const cat = await startExec(daemon.socketPath, catId, { Detach: false, Tty: false });
    try {
      cat.socket.end('ping\n');
      const echoed = demux(await within(cat.output, 15_000, `the client's half-close should close the exec's stdin, so cat ends — ${ROUTES} connectExecStdin, ${SERVICE} start (stdin: AttachStdin)`));
      expect(echoed.stdout, "AttachStdin pipes the client's bytes to the exec's stdin; its half-close is the end of that input").toBe('ping\ndone\n');
    } finally {
      cat.socket.destroy();
    }
    expect((await inspectExec(daemon, catId)).ExitCode, 'cat ended with 0').toBe(0);

    const loopId = await createExec(daemon, container, { Tty: true, AttachStdin: true, AttachStdout: true, Cmd: ['sh', '-c', 'while read line; do echo "got $line"; done'] });
    const loop = await startExec(daemon.socketPath, loopId, { Detach: false, Tty: true });
    try {
      let seen = '';
      const got = new Promise<void>((resolve) => loop.socket.on('data', (chunk: Buffer) => (seen += chunk.toString()).includes('got ping') && resolve()));
      loop.socket.write('ping\n');
      await within(got, 10_000, `the Tty exec should echo "got ping"; it printed ${JSON.stringify(seen)} — ${ROUTES} postExecStart`);
      for (const key of [0x10, 0x11]) {
        loop.socket.write(Buffer.from([key]));
        await new Promise((r) => setTimeout(r, 50));
      }
      await within(loop.output, 5000, `Ctrl-P Ctrl-Q must end a Tty exec's stream: the daemon closes the connection — ${ROUTES} connectExecStdin (DetachKeysWatcher)`);
    } finally {
      loop.socket.destroy();
    }
    await new Promise((r) => setTimeout(r, 300));
    const after = await inspectExec(daemon, loopId);
    expect([after.Running, after.ExitCode], `after a detach the exec keeps running: the detach keys never reach it and its stdin stays open — ${ROUTES} connectExecStdin`).toEqual([true, null]);
    const removed = await api(daemon, 'DELETE', `/v1.41/containers/${container}?force=1`, undefined, 20_000);
    expect(removed.status, `a container with a running exec can be force-removed (the exec dies with it) — ${SERVICE} #exited`).toBe(204);
    expect((await api(daemon, 'GET', '/_ping')).status, 'and the daemon goes on serving').toBe(200);
  }, 60_000);

  it('a detached exec runs on: start answers 200 at once, inspect goes from Running to its ExitCode, and its files under the container dir go when it ends', async () => {
    const daemon = await daemonWithBusybox();
    const container = await runContainer(daemon);
    const cmd = ['sh', '-c', 'sleep 1; echo done > /tmp/detached; exit 4'];
    const id = await createExec(daemon, container, { Cmd: cmd });
    const began = Date.now();
    const res = await api(daemon, 'POST', `/v1.41/exec/${id}/start`, { Detach: true, Tty: false });
    expect([res.status, res.text], `a detached start answers 200 with no body — ${ROUTES} postExecStart`).toEqual([200, '']);
    expect(Date.now() - began, 'at once, while the command still sleeps').toBeLessThan(900);
    const running = await inspectExec(daemon, id);
    expect([running.Running, running.ExitCode], `while it runs, inspect shows Running true and ExitCode null — ${SERVICE} start`).toEqual([true, null]);
    expect(running.Pid, 'and its Pid on the host').toBeGreaterThan(1);
    const listed = (await api(daemon, 'GET', `/v1.41/containers/${container}/json`)).body?.ExecIDs;
    expect(listed, `the container's inspect lists its running execs in ExecIDs — ${SERVICE} (execIds reads the records' status), src/daemon/containers/container-views.ts toInspect`).toEqual([id]);
    const dir = path.join(daemon.dataRoot, 'containers', container, 'exec', id);
    const spec = JSON.parse(await fs.readFile(path.join(dir, 'process.json'), 'utf8').catch(() => '{}'));
    expect(spec.args, `while it runs, <container dir>/exec/<exec id>/process.json holds the process runc exec runs — ${SERVICE} start, ${PROCESS} writeProcessFile`).toEqual(cmd);
    const ended = await eventually(async () => !(await inspectExec(daemon, id)).Running, 10_000);
    expect(ended, 'the detached exec ends by itself').toBe(true);
    expect(await inspectExec(daemon, id), `then inspect shows its ExitCode (4) and Pid 0 — ${SERVICE} #exited`).toMatchObject({ Running: false, ExitCode: 4, Pid: 0 });
    // The record comes first, then the dir goes: give the removal a moment after inspect says it ended.
    const dirGone = await eventually(async () => !(await fs.stat(dir).then(() => true, () => false)), 5_000);
    expect(dirGone ? 'gone' : 'still there', `the exec's dir is removed once it ended — ${SERVICE} #exited`).toBe('gone');
    expect((await api(daemon, 'GET', `/v1.41/containers/${container}/json`)).body?.ExecIDs, 'an exec that ended leaves ExecIDs (null for none, as docker shows it)').toBeNull();
    expect((await sh(daemon, container, 'cat /tmp/detached')).stdout, 'and it did its work in the container').toBe('done\n');
    const removed = await api(daemon, 'DELETE', `/v1.41/containers/${container}?force=1`, undefined, 20_000);
    expect(removed.status, 'the container can be removed').toBe(204);
    const gone = await api<{ message: string }>(daemon, 'GET', `/v1.41/exec/${id}/json`);
    expect([gone.status, gone.body?.message], `an exec's record goes with its container — ${SERVICE} (#forgetWith)`).toEqual([404, `No such exec instance: ${id}`]);
  }, 60_000);

  it('a command that cannot run ends the exec with 126, as dockerd records it, the runtime\'s message in the stream', async () => {
    const daemon = await daemonWithBusybox();
    const container = await runContainer(daemon);
    const missing = await runExec(daemon, container, { Cmd: ['nosuch-command'] });
    expect(missing.stdout, `the runtime's error goes into the stream as stdout, as docker writes it ("OCI runtime exec failed: … nosuch-command …") — ${ROUTES} postExecStart, ${SERVICE} start`).toMatch(/nosuch-command/);
    expect(missing.inspect.ExitCode, `a command that is not there: ExitCode 126, as dockerd records every exec that cannot start — ${SERVICE} start (execFailureCode)`).toBe(126);
    const plain = await runExec(daemon, container, { Cmd: ['/etc/passwd'] }, false);
    expect(plain.inspect.ExitCode, 'a file that is not executable: ExitCode 126, also through a 200 without Upgrade').toBe(126);
    expect(plain.stdout, "with the runtime's words").toMatch(/permission denied/);
    expect((await sh(daemon, container, 'echo still here')).stdout, 'the container is unharmed and runs more execs').toBe('still here\n');
  }, 60_000);

  it('exec refuses what docker refuses: 404 for an unknown container or exec, 409 when the container is not running or the exec started already, 400 for no Cmd, Privileged or bad detach keys', async () => {
    const daemon = await daemonWithBusybox();
    const container = await runContainer(daemon);
    const noContainer = await api<{ message: string }>(daemon, 'POST', '/v1.41/containers/nosuch/exec', { Cmd: ['true'] });
    expect([noContainer.status, noContainer.body?.message], `an exec in an unknown container is docker's 404 — ${SERVICE} create`).toEqual([404, 'No such container: nosuch']);
    const ghost = 'f'.repeat(64);
    for (const [method, target, body] of [['GET', 'json', undefined], ['POST', 'start', { Detach: false }], ['POST', 'resize?h=1&w=1', undefined]] as const) {
      const res = await api<{ message: string }>(daemon, method, `/v1.41/exec/${ghost}/${target}`, body);
      expect([res.status, res.body?.message], `${method} /exec/<unknown>/${target} is docker's 404 — ${ROUTES}, src/daemon/exec/exec-records.ts`).toEqual([404, `No such exec instance: ${ghost}`]);
    }
    const refusals: Array<[Record<string, unknown>, RegExp]> = [
      [{ Cmd: [] }, /^No exec command specified$/],
      [{}, /^No exec command specified$/],
      [{ Cmd: ['true'], Privileged: true }, /Privileged/],
      [{ Cmd: ['true'], DetachKeys: 'ctrl-??' }, /^Invalid escape keys \(ctrl-\?\?\) provided$/],
    ];
    for (const [body, message] of refusals) {
      const res = await api<{ message: string }>(daemon, 'POST', `/v1.41/containers/${container}/exec`, body);
      expect([res.status, res.body?.message], `exec create with ${JSON.stringify(body)} is a 400 that says why — ${ROUTES} (src/daemon/routes/exec-requests.ts checks it)`).toEqual([400, expect.stringMatching(message)]);
    }

    const created = await api(daemon, 'POST', '/v1.41/containers/create', { Image: 'busybox', Cmd: ['sleep', '300'] });
    const idle = created.body.Id as string;
    const notStarted = await api<{ message: string }>(daemon, 'POST', `/v1.41/containers/${idle}/exec`, { Cmd: ['true'] });
    expect([notStarted.status, notStarted.body?.message], `an exec in a container that was never started is docker's 409 — ${SERVICE} create (checkTransition 'exec')`).toEqual([409, `Container ${idle} is not running`]);

    const twice = await createExec(daemon, container, { Cmd: ['sleep', '2'] });
    expect((await api(daemon, 'POST', `/v1.41/exec/${twice}/start`, { Detach: true })).status, 'the first start answers 200').toBe(200);
    const again = await api<{ message: string }>(daemon, 'POST', `/v1.41/exec/${twice}/start`, { Detach: true });
    expect([again.status, again.body?.message], `a second start while it runs is docker's 409 — ${SERVICE} start`).toEqual([409, `Error: Exec command ${twice} is already running`]);
    const upgraded = await startExec(daemon.socketPath, twice, { Detach: false, Tty: false });
    upgraded.socket.destroy();
    expect(upgraded.statusLine, `even with Upgrade the refusal is a plain 409, before any hijack — ${ROUTES} postExecStart`).toMatch(/^HTTP\/1\.1 409 /);
    await eventually(async () => !(await inspectExec(daemon, twice)).Running, 10_000);
    const ran = await api<{ message: string }>(daemon, 'POST', `/v1.41/exec/${twice}/start`, { Detach: true });
    expect([ran.status, ran.body?.message], `a start after it ended is docker's 409 too — ${SERVICE} start`).toEqual([409, `Error: Exec command ${twice} has already run`]);

    const pending = await createExec(daemon, container, { Cmd: ['true'] });
    expect((await api(daemon, 'POST', `/v1.41/containers/${container}/stop?t=1`, undefined, 20_000)).status, 'the container stops').toBe(204);
    const stopped = await api<{ message: string }>(daemon, 'POST', `/v1.41/containers/${container}/exec`, { Cmd: ['true'] });
    expect([stopped.status, stopped.body?.message], `an exec in a stopped container is docker's 409 — ${SERVICE} create`).toEqual([409, `Container ${container} is not running`]);
    const late = await api<{ message: string }>(daemon, 'POST', `/v1.41/exec/${pending}/start`, { Detach: true });
    expect([late.status, late.body?.message], `starting an exec whose container stopped meanwhile is a 409 too — ${SERVICE} start`).toEqual([409, `Container ${container} is not running`]);
  }, 90_000);

  it("minidocker exec runs commands with -e, -w, -u and -d, and exits with the exec's exit code", async () => {
    const daemon = await daemonWithBusybox();
    await runContainer(daemon, 'sleep 300', {}, 'box');
    const plain = await minidocker(daemon, ['exec', '-e', 'GREETING=hello', '-w', '/etc', 'box', 'sh', '-c', 'echo "$GREETING"; pwd; echo oops >&2; exit 3']);
    expect([plain.code, plain.stdout, plain.stderr], `minidocker exec -e GREETING=hello -w /etc box sh -c … prints stdout and stderr apart and exits 3 — ${ROUTES}, ${SERVICE} (the CLI, src/cli/commands/exec.ts, is given)`).toEqual([3, 'hello\n/etc\n', 'oops\n']);
    if (root) expect((await minidocker(daemon, ['exec', '-u', 'nobody', 'box', 'id', '-u'])).stdout, 'minidocker exec -u nobody runs as 65534').toBe('65534\n');
    const began = Date.now();
    const detached = await minidocker(daemon, ['exec', '-d', 'box', 'sh', '-c', 'sleep 2; touch /tmp/bg']);
    expect(detached.code, `minidocker exec -d returns 0 at once; stderr: ${detached.stderr.slice(0, 300)}`).toBe(0);
    expect(Date.now() - began, 'without waiting for the command').toBeLessThan(2000);
    const missing = await minidocker(daemon, ['exec', 'box', 'nosuch-command']);
    expect(missing.code, `minidocker exec box nosuch-command exits 126, as docker exec does; it printed ${JSON.stringify(missing.stdout + missing.stderr)}`).toBe(126);
    expect(missing.stdout + missing.stderr, "and shows the runtime's message").toMatch(/nosuch-command/);
    await api(daemon, 'POST', '/v1.41/containers/box/kill');
    const stopped = await minidocker(daemon, ['exec', 'box', 'true']);
    expect([stopped.code, stopped.stderr], 'an exec in a stopped container fails with the daemon\'s 409').toEqual([1, expect.stringMatching(/^Error response from daemon: Container [0-9a-f]{64} is not running/)]);
  }, 90_000);

  it.skipIf(docker.skip || scriptTool.skip)('the real docker CLI: docker exec with -e, -w and -u, its exit status, and -it in a terminal', async () => {
    const bin = requireTool(docker);
    requireTool(scriptTool);
    const daemon = await daemonWithBusybox();
    const { run, env } = dockerCli(bin, daemon.socketPath, await daemons.harness.tempDir());
    const started = await run(['run', '-d', '--name', 'box', 'busybox', 'sleep', '300']);
    expect(started.code, `docker run -d --name box busybox sleep 300; stderr: ${started.stderr.slice(0, 300)}`).toBe(0);
    const hi = await run(['exec', 'box', 'echo', 'hi']);
    expect([hi.code, hi.stdout], `docker exec box echo hi prints hi; stderr: ${hi.stderr.slice(0, 300)} — ${ROUTES} postExecStart`).toEqual([0, 'hi\n']);
    const flags = await run(['exec', '-e', 'A=1', '-w', '/etc', ...(root ? ['-u', 'nobody'] : []), 'box', 'sh', '-c', 'echo "$A"; pwd; id -u']);
    expect(flags.stdout, `docker exec -e A=1 -w /etc${root ? ' -u nobody' : ''}; stderr: ${flags.stderr.slice(0, 300)} — ${SERVICE} create`).toBe(`1\n/etc\n${root ? 65534 : 0}\n`);
    const code = await run(['exec', 'box', 'sh', '-c', 'echo err >&2; exit 3']);
    expect([code.code, code.stderr], 'docker exec exits with the exec\'s ExitCode (3), read from GET /exec/{id}/json right after the stream').toEqual([3, 'err\n']);

    const child = spawn('script', ['-qec', `stty rows 33 cols 120; ${bin} -H unix://${daemon.socketPath} exec -it box sh`, '/dev/null'], { env, stdio: ['pipe', 'pipe', 'pipe'] });
    let out = '';
    child.stdout.on('data', (c: Buffer) => (out += c.toString()));
    const ended = new Promise<number>((resolve) => child.once('exit', (exit) => resolve(exit ?? -1)));
    try {
      await within(eventually(async () => out.includes('# '), 20_000), 21_000, 'docker exec -it box sh shows no prompt');
      expect(out, `docker exec -it box sh should show the shell's prompt; it printed ${JSON.stringify(out)} — ${ROUTES} postExecStart (Tty)`).toContain('# ');
      for (const line of ['stty size; echo "term=$TERM"\n', 'exit 5\n']) {
        child.stdin.write(line);
        await new Promise((r) => setTimeout(r, 300));
      }
      const exit = await within(ended, 15_000, `docker exec -it should end when the shell exits; it printed ${JSON.stringify(out.slice(-300))}`);
      expect(out, `the terminal has the CLI's size (33 120) and TERM=xterm — ${SERVICE} start (consoleSize), resize`).toMatch(/33 120[\s\S]*term=xterm/);
      expect(exit, 'docker exec -it exits with the shell\'s status (5)').toBe(5);
    } finally {
      child.kill('SIGKILL');
    }
  }, 120_000);

  it('testcontainers 11 runs exec() on minidockerd, its output and exit code, and waits for a health check with Wait.forHealthCheck()', async () => {
    const daemon = await daemonWithBusybox();
    const overrides: Record<string, string> = {
      DOCKER_HOST: `unix://${daemon.socketPath}`,
      TESTCONTAINERS_RYUK_DISABLED: 'true',
      TESTCONTAINERS_HOST_OVERRIDE: '127.0.0.1',
    };
    const saved = Object.fromEntries(Object.keys(overrides).map((k) => [k, process.env[k]]));
    Object.assign(process.env, overrides);
    try {
      const { GenericContainer } = await import('testcontainers');
      const container = await new GenericContainer('busybox').withCommand(['sleep', '300']).start();
      try {
        const result = await container.exec(['sh', '-c', 'echo hi; exit 3']);
        expect([result.output, result.exitCode], `container.exec(['sh','-c','echo hi; exit 3']) gives output "hi\\n" and exit code 3: dockerode's exec start is a POST without Upgrade (200, the stream until close), then GET /exec/{id}/json — ${ROUTES} postExecStart`).toEqual(['hi\n', 3]);
        const apart = await container.exec(['sh', '-c', 'echo out; echo err >&2']);
        expect([apart.stdout, apart.stderr, apart.exitCode], 'stdout and stderr come apart').toEqual(['out\n', 'err\n', 0]);
      } finally {
        await container.stop({ timeout: 0 }).catch(() => undefined);
      }
      // One client per test process (testcontainers keeps it), so the health check's container comes here too.
      const { Wait } = await import('testcontainers');
      const began = Date.now();
      const probed = await new GenericContainer('busybox')
        .withCommand(['sleep', '300'])
        .withHealthCheck({ test: ['CMD-SHELL', 'test -d /proc/1'], interval: 500, timeout: 1000, retries: 3, startPeriod: 0 })
        .withWaitStrategy(Wait.forHealthCheck())
        .withStartupTimeout(20_000)
        .start();
      try {
        expect(Date.now() - began, 'withHealthCheck + Wait.forHealthCheck() starts once the probe passed: State.Health.Status healthy — src/daemon/containers/health.ts').toBeLessThan(20_000);
        const health = (await api(daemon, 'GET', `/v1.41/containers/${probed.getId()}/json`)).body.State.Health;
        expect(health?.Status, 'and inspect says healthy').toBe('healthy');
      } finally {
        await probed.stop({ timeout: 0 }).catch(() => undefined);
      }
    } finally {
      for (const [key, value] of Object.entries(saved)) {
        if (value === undefined) delete process.env[key];
        else process.env[key] = value;
      }
    }
  }, 120_000);

  // ── The checks of pause, unpause, top and stats (test/lessons/13-exec/processes.ts) are registered here: ──
  registerProcessChecks({ daemons, mirror });
  // ── and those of health checks (test/lessons/13-exec/health.ts): ──
  registerHealthChecks({ daemons, docker });
});
