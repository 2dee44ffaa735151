/**
 * Lesson 12 — daemon: containers API. Graded checks.
 *
 * A reference registry serves the offline busybox and hello-world images as
 * docker.io's mirror. Each check starts the selected minidockerd as a process
 * (`--registry-mirror`), pulls busybox through it, and runs real containers
 * through runc, talking raw HTTP the way the docker CLI does. Every container,
 * shim, mount and temp dir is removed after each check, also when it fails.
 */
import { spawn } from 'node:child_process';
import fs from 'node:fs/promises';
import http from 'node:http';
import path from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import {
  ContainerDaemons, MirrorFixture, api, demux, openAttach, requestBytes, within,
} from '../support/container-harness.js';
import { mountsUnder } from '../../fixtures/host-state.js';
import type { DaemonProcess } from '../support/daemon-harness.js';
import { initPrerequisite, prerequisite, requireTool } from '../support/prereq.js';
import { seeded } from '../support/seeded.js';
import { dockerCli } from '../support/docker-cli.js';
import { minidocker as runMinidocker } from '../support/minidocker-cli.js';
import type { CliResult } from '../support/docker-cli.js';

const mirror = new MirrorFixture();
const daemons = new ContainerDaemons(mirror);
const docker = prerequisite('docker', 'install the docker CLI: https://docs.docker.com/engine/install/');
const scriptTool = prerequisite('script', 'apt-get install bsdutils (util-linux)');
const initTool = initPrerequisite();

beforeAll(() => mirror.start(), 120_000);
afterEach(() => daemons.cleanup(), 60_000);
afterAll(() => mirror.cleanup());

const HEX64 = /^[0-9a-f]{64}$/;
const RFC3339_NANO = /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{9}Z$/;

/** The HostConfig `docker run busybox true` sends (docker CLI 28.2), as captured on the wire. */
const DOCKER_CLI_HOST_CONFIG = {
  Binds: null, ContainerIDFile: '', LogConfig: { Type: '', Config: {} }, NetworkMode: 'default', PortBindings: {}, RestartPolicy: { Name: 'no', MaximumRetryCount: 0 },
  AutoRemove: false, VolumeDriver: '', VolumesFrom: null, ConsoleSize: [0, 0], CapAdd: null, CapDrop: null, CgroupnsMode: '', Dns: [], DnsOptions: [], DnsSearch: [],
  ExtraHosts: null, GroupAdd: null, IpcMode: '', Cgroup: '', Links: null, OomScoreAdj: 0, PidMode: '', Privileged: false, PublishAllPorts: false, ReadonlyRootfs: false,
  SecurityOpt: null, UTSMode: '', UsernsMode: '', ShmSize: 0, Isolation: '', CpuShares: 0, Memory: 0, NanoCpus: 0, CgroupParent: '', BlkioWeight: 0, BlkioWeightDevice: [],
  BlkioDeviceReadBps: [], BlkioDeviceWriteBps: [], BlkioDeviceReadIOps: [], BlkioDeviceWriteIOps: [], CpuPeriod: 0, CpuQuota: 0, CpuRealtimePeriod: 0, CpuRealtimeRuntime: 0,
  CpusetCpus: '', CpusetMems: '', Devices: [], DeviceCgroupRules: null, DeviceRequests: null, MemoryReservation: 0, MemorySwap: 0, MemorySwappiness: -1, OomKillDisable: false,
  PidsLimit: 0, Ulimits: [], CpuCount: 0, CpuPercent: 0, IOMaximumIOps: 0, IOMaximumBandwidth: 0, MaskedPaths: null, ReadonlyPaths: null,
};

/** What dockerd's inspect shows for it (MaskedPaths and ReadonlyPaths aside): docker's defaults filled in. */
const CLI_INSPECT_HOST_CONFIG = {
  ...DOCKER_CLI_HOST_CONFIG, LogConfig: { Type: 'json-file', Config: {} }, CgroupnsMode: 'host', IpcMode: 'private', ShmSize: 67108864, Runtime: 'runc',
  MemorySwappiness: null, PidsLimit: null, MaskedPaths: undefined, ReadonlyPaths: undefined,
};

interface Created {
  Id: string;
  Warnings: string[] | null;
}

/** A daemon with busybox pulled. */
async function daemonWithBusybox(): Promise<DaemonProcess> {
  const daemon = await daemons.start();
  await daemons.pull(daemon, 'busybox');
  return daemon;
}

/** Creates a busybox container running `sh -c script`; returns its id. */
async function create(daemon: DaemonProcess, script: string, extra: Record<string, unknown> = {}, name?: string): Promise<string> {
  const query = name === undefined ? '' : `?name=${encodeURIComponent(name)}`;
  const res = await api<Created>(daemon, 'POST', `/v1.41/containers/create${query}`, { Image: 'busybox', Cmd: ['sh', '-c', script], ...extra });
  expect(res.status, `POST /containers/create should answer 201 {Id, Warnings}; it said ${res.status} ${res.text.slice(0, 300)} — src/daemon/routes/containers.ts postContainersCreate, src/daemon/containers/container-create.ts`).toBe(201);
  expect(res.body.Id, 'the new container Id is 64 hex digits — src/daemon/containers/container-store.ts newContainerId').toMatch(HEX64);
  return res.body.Id;
}

async function start(daemon: DaemonProcess, id: string): Promise<void> {
  const res = await api(daemon, 'POST', `/v1.41/containers/${id}/start`);
  expect(res.status, `POST /containers/{id}/start should answer 204; it said ${res.status} ${res.text.slice(0, 300)} — src/daemon/containers/container-service.ts start`).toBe(204);
}

async function waitExit(daemon: DaemonProcess, id: string, condition = 'not-running'): Promise<number> {
  const res = await api<{ StatusCode: number }>(daemon, 'POST', `/v1.41/containers/${id}/wait?condition=${condition}`, undefined, 30_000);
  expect(res.status, `wait should answer 200 {"StatusCode":N}; it said ${res.status} ${res.text.slice(0, 300)} — src/daemon/routes/containers.ts postContainersWait`).toBe(200);
  return res.body.StatusCode;
}

async function inspect(daemon: DaemonProcess, ref: string): Promise<any> {
  const res = await api(daemon, 'GET', `/v1.41/containers/${ref}/json`);
  expect(res.status, `GET /containers/${ref}/json should answer 200; it said ${res.status} ${res.text.slice(0, 200)} — src/daemon/containers/container-service.ts inspect`).toBe(200);
  return res.body;
}

async function logs(daemon: DaemonProcess, id: string, query: string) {
  const res = await requestBytes(daemon.socketPath, 'GET', `/v1.41/containers/${id}/logs?${query}`, 20_000);
  expect(res.status, `GET /containers/{id}/logs?${query} should answer 200; it said ${res.status} ${res.body.toString().slice(0, 200)} — src/daemon/routes/logs-and-attach.ts streamLogs`).toBe(200);
  return { res, ...demux(res.body) };
}

function minidocker(daemon: DaemonProcess, args: string[], timeoutMs = 30_000): Promise<CliResult> {
  return runMinidocker(daemon.socketPath, args, timeoutMs);
}

describe('lesson 12 — daemon: containers API', () => {
  it('create → start → wait gives the container\'s exit code', async () => {
    const daemon = await daemonWithBusybox();
    const id = await create(daemon, 'exit 3');
    const containers = path.join(daemon.dataRoot, 'containers');
    expect(mountsUnder(containers), 'create mounts nothing: an overlay rootfs is mounted by the shim at start — src/daemon/containers/container-create.ts').toEqual([]);
    await start(daemon, id);
    expect(await waitExit(daemon, id), 'wait should give the exit code of `sh -c "exit 3"` — src/daemon/containers/container-service.ts').toBe(3);
    expect(mountsUnder(containers), 'once the container exited its rootfs is unmounted (the shim unmounts what startTask asked it to mount) — src/daemon/containers/container-service.ts start').toEqual([]);
    const state = (await inspect(daemon, id)).State;
    expect(state, 'after the exit, inspect shows State {Status: "exited", Running: false, ExitCode: 3}').toMatchObject({ Status: 'exited', Running: false, ExitCode: 3 });
    const again = await api(daemon, 'POST', `/v1.41/containers/${id}/start`);
    expect(again.status, 'an exited container can be started again (204) — src/daemon/containers/container-service.ts start').toBe(204);
    expect(await waitExit(daemon, id), 'the second run exits with 3 as well').toBe(3);
  }, 60_000);

  it('create checks its request: a missing image is a 404 so the CLI pulls, a wrong type a 400 naming the field, a string Cmd one argument, a body over 1 MiB a 413', async () => {
    const daemon = await daemons.start();
    const res = await api<{ message: string }>(daemon, 'POST', '/v1.41/containers/create', { Image: 'busybox', Cmd: ['true'] });
    expect(res.status, `create with an image that was never pulled should answer 404; it said ${res.status} ${res.text.slice(0, 200)} — src/daemon/containers/container-create.ts`).toBe(404);
    expect(res.body?.message, 'the message names the image as docker does: "No such image: busybox:latest"').toBe('No such image: busybox:latest');
    await daemons.pull(daemon, 'busybox');
    const ok = await api<Created>(daemon, 'POST', '/v1.41/containers/create', { Image: 'busybox', Cmd: ['true'] });
    expect(ok.status, `after the pull the same create should answer 201; it said ${ok.text.slice(0, 200)}`).toBe(201);
    const dirs = await fs.readdir(path.join(daemon.dataRoot, 'rootfs')).catch(() => []);
    expect(dirs.length, 'the image is unpacked once into <data root>/rootfs/<image id> — src/daemon/containers/container-create.ts imageRootfs').toBe(1);

    // Checked at the edge (src/daemon/server/validate.ts, routes/container-requests.ts), in docker's words.
    const wrongTypes: Array<[Record<string, unknown>, string]> = [
      [{ HostConfig: { Memory: '1g' } }, 'json: cannot unmarshal string into Go struct field HostConfig.Memory of type int64'],
      [{ Env: { A: '1' } }, 'json: cannot unmarshal object into Go struct field Env of type []string'],
      [{ Env: ['A=1', 5] }, 'json: cannot unmarshal number 5 into Go struct field Env[1] of type string'],
      [{ Tty: 'yes' }, 'json: cannot unmarshal string into Go struct field Tty of type bool'],
    ];
    for (const [fields, message] of wrongTypes) {
      const wrong = await api<{ message: string }>(daemon, 'POST', '/v1.41/containers/create', { Image: 'busybox', Cmd: ['true'], ...fields });
      expect([wrong.status, wrong.body?.message], `create with ${JSON.stringify(fields)} is refused with 400 naming the field, not accepted and ignored`).toEqual([400, message]);
    }
    const empty = await api<{ message: string }>(daemon, 'POST', '/v1.41/containers/create', null);
    expect([empty.status, empty.body?.message], 'a null body is docker\'s 400').toEqual([400, 'config cannot be empty in order to create a container']);
    const word = await api<Created>(daemon, 'POST', '/v1.41/containers/create', { Image: 'busybox', Cmd: 'true' });
    expect(word.status, `"Cmd": "true" is docker's one-element list, not an error; it said ${word.text.slice(0, 200)}`).toBe(201);
    expect((await inspect(daemon, word.body.Id)).Config.Cmd, 'inspect shows the string Cmd as the list ["true"], not split into letters').toEqual(['true']);
    await start(daemon, word.body.Id);
    expect(await waitExit(daemon, word.body.Id), '"Cmd": "true" runs true').toBe(0);
    const huge = await api<{ message: string }>(daemon, 'POST', '/v1.41/containers/create', { Image: 'busybox', Cmd: ['true'], Labels: { pad: 'x'.repeat(5 * 1024 * 1024) } });
    expect(huge.status, 'a 5 MB create body answers 413: the daemon stops reading at 1 MiB — src/daemon/server/http.ts readJson').toBe(413);
    expect((await api(daemon, 'GET', '/v1.41/containers/json')).status, 'and goes on serving').toBe(200);
  }, 60_000);

  it('wait answers with its headers before the container is started', async () => {
    const daemon = await daemonWithBusybox();
    const id = await create(daemon, 'exit 7');
    const notRunning = await waitExit(daemon, id, 'not-running');
    expect(notRunning, 'condition=not-running on a created container answers at once with StatusCode 0').toBe(0);
    const response = new Promise<http.IncomingMessage>((resolve, reject) => {
      const req = http.request({ socketPath: daemon.socketPath, method: 'POST', path: `/v1.41/containers/${id}/wait?condition=next-exit`, agent: false }, resolve);
      req.on('error', reject);
      req.end();
    });
    const res = await within(response, 5000, 'the /wait headers did not arrive before start: flush them at once (res.writeHead + res.flushHeaders) or `docker run` deadlocks — src/daemon/routes/containers.ts postContainersWait');
    expect(res.statusCode, 'wait answers 200 with the headers first').toBe(200);
    await start(daemon, id);
    let body = '';
    for await (const chunk of res) body += String(chunk);
    expect(JSON.parse(body), 'the body comes once the container exited: {"StatusCode":7} — src/daemon/routes/containers.ts postContainersWait').toMatchObject({ StatusCode: 7 });
  }, 60_000);

  it('wait without a condition answers at once for a container that already exited (not-running), and an unknown condition is a 400', async () => {
    const daemon = await daemonWithBusybox();
    const id = await create(daemon, 'exit 4');
    await start(daemon, id);
    for (let i = 0; i < 100 && (await inspect(daemon, id)).State.Running; i++) await new Promise((r) => setTimeout(r, 50));
    const res = await within(
      api<{ StatusCode: number }>(daemon, 'POST', `/v1.41/containers/${id}/wait`, undefined, 30_000),
      5000,
      'POST /containers/{id}/wait with no condition on an exited container must answer at once: docker\'s default condition is not-running (the SDKs send none) — src/daemon/routes/container-requests.ts waitQuery, src/daemon/containers/container-service.ts wait',
    );
    expect([res.status, res.body.StatusCode], 'it answers 200 with the exit code of the run that already ended').toEqual([200, 4]);
    const unknown = await api<{ message: string }>(daemon, 'POST', `/v1.41/containers/${id}/wait?condition=stopped`);
    expect(unknown.status, 'an unknown condition is refused with 400, not waited on').toBe(400);
  }, 60_000);

  it('logs are multiplexed frames with stdout and stderr apart, and tail and timestamps work', async () => {
    const daemon = await daemonWithBusybox();
    // stdout and stderr are two pipes: lines written at the same instant may be logged in either
    // order (as with docker), so the pauses give the log one order to check tail against.
    const id = await create(daemon, 'echo out1; sleep 0.3; echo err1 >&2; sleep 0.3; echo out2');
    await start(daemon, id);
    await waitExit(daemon, id);
    const both = await logs(daemon, id, 'stdout=1&stderr=1&tail=all');
    expect(both.res.headers['content-type'], 'at API 1.41 logs have no Content-Type').toBeUndefined();
    expect(both.stdout, 'stdout frames (type 1) carry "out1\\nout2\\n" — src/daemon/routes/logs-and-attach.ts').toBe('out1\nout2\n');
    expect(both.stderr, 'stderr frames (type 2) carry "err1\\n"').toBe('err1\n');
    const onlyOut = await logs(daemon, id, 'stdout=1');
    expect(onlyOut.stderr, 'stdout=1 alone leaves stderr out').toBe('');
    expect(onlyOut.stdout).toBe('out1\nout2\n');
    const tail = await logs(daemon, id, 'stdout=1&stderr=1&tail=1');
    expect(tail.stdout + tail.stderr, 'tail=1 gives only the last line').toBe('out2\n');
    const tail2 = await logs(daemon, id, 'stdout=1&stderr=1&tail=2');
    expect([tail2.stdout, tail2.stderr], 'tail=2 gives the last two lines, each on its own stream').toEqual(['out2\n', 'err1\n']);
    const stamped = await logs(daemon, id, 'stdout=1&timestamps=1');
    for (const f of stamped.frames) {
      expect(f.payload.toString(), 'timestamps=1 starts each line with its RFC 3339 nano time and a space').toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{9}Z out\d\n$/);
    }
  }, 60_000);

  it('logs with follow stream a running container and end when it exits', async () => {
    const daemon = await daemonWithBusybox();
    const id = await create(daemon, 'echo first; sleep 1; echo second; exit 2');
    await start(daemon, id);
    const followed = await within(logs(daemon, id, 'stdout=1&stderr=1&follow=1'), 15_000, 'logs?follow=1 did not end after the container exited — src/daemon/routes/logs-and-attach.ts');
    expect(followed.stdout, 'follow delivers the lines written while it streams, then ends').toBe('first\nsecond\n');
    expect((await inspect(daemon, id)).State.ExitCode, 'the exit code is recorded by the time the follow stream ends').toBe(2);
  }, 60_000);

  it('attach answers 101 and streams the output after the client half-closes, framed or raw with a Tty, which resize resizes', async () => {
    const daemon = await daemonWithBusybox();
    const id = await create(daemon, 'echo hi; echo oops >&2; exit 5', { AttachStdout: true, AttachStderr: true });
    const conn = await openAttach(daemon.socketPath, `/v1.41/containers/${id}/attach?stream=1&stdout=1&stderr=1`);
    try {
      expect(conn.statusLine, `attach must answer "HTTP/1.1 101 UPGRADED" (the CLI requires 101); got ${conn.statusLine} — src/daemon/server/hijack.ts`).toBe('HTTP/1.1 101 UPGRADED');
      expect(conn.head.toLowerCase(), 'the 101 carries Content-Type: application/vnd.docker.raw-stream').toContain('content-type: application/vnd.docker.raw-stream');
      conn.socket.end(); // the docker CLI half-closes right away when stdin is not attached
      await start(daemon, id);
      const output = demux(await within(conn.output, 15_000, 'the attach connection was not closed after the container exited — src/daemon/routes/logs-and-attach.ts'));
      expect(output.stdout, 'the output written after the client half-closed arrives as stdout frames').toBe('hi\n');
      expect(output.stderr, 'and stderr as stderr frames').toBe('oops\n');
      expect((await inspect(daemon, id)).State.ExitCode, 'the exit code is recorded before the attach stream ends').toBe(5);
    } finally {
      conn.socket.destroy();
    }
    const catId = await create(daemon, 'cat; echo done', { OpenStdin: true, StdinOnce: true, AttachStdin: true });
    const cat = await openAttach(daemon.socketPath, `/v1.41/containers/${catId}/attach?stream=1&stdin=1&stdout=1&stderr=1`);
    try {
      await start(daemon, catId);
      cat.socket.end('ping\n');
      const echoed = demux(await within(cat.output, 15_000, 'with StdinOnce, the half-close should close the container\'s stdin so `cat` ends'));
      expect(echoed.stdout, 'stdin=1 with OpenStdin pipes the client\'s bytes to the container; its half-close closes them').toBe('ping\ndone\n');
    } finally {
      cat.socket.destroy();
    }
    // The terminal starts at HostConfig.ConsoleSize; a resize reaches the running container, which waits for it.
    const script = 'tty; stty size; i=0; until [ "$(stty size)" = "40 100" ] || [ $i -ge 200 ]; do sleep 0.05; i=$((i+1)); done; stty size; echo to-stderr >&2';
    const ttyId = await create(daemon, script, { Tty: true, AttachStdout: true, AttachStderr: true, HostConfig: { ConsoleSize: [33, 120] } });
    const tty = await openAttach(daemon.socketPath, `/v1.41/containers/${ttyId}/attach?stream=1&stdout=1&stderr=1`);
    try {
      tty.socket.end();
      let seen = '';
      const sized = new Promise<void>((resolve) => tty.socket.on('data', (chunk: Buffer) => (seen += chunk.toString()).includes('33 120') && resolve()));
      await start(daemon, ttyId);
      await within(sized, 10_000, `a Tty container should start with its HostConfig.ConsoleSize (stty size printed "33 120"); it printed ${JSON.stringify(seen)} — src/daemon/containers/container-create.ts (consoleSizeOf → buildSpec), src/daemon/containers/container-service.ts start (startTask consoleSize)`);
      const resized = await api(daemon, 'POST', `/v1.41/containers/${ttyId}/resize?h=40&w=100`);
      expect(resized.status, `POST /containers/{id}/resize?h=40&w=100 should answer 200; it said ${resized.status} ${resized.text} — src/daemon/routes/containers.ts postContainersResize`).toBe(200);
      const raw = (await within(tty.output, 15_000, 'the attach of a Tty container was not closed after it exited')).toString();
      expect(raw, `with Tty the process has a terminal (createContainer: buildSpec terminal, ContainerService.start: startTask terminal) and its output comes raw, unframed, stderr included, with the terminal's CRLF; the resize gave it 40 rows and 100 columns — src/daemon/containers/container-create.ts`).toBe('/dev/pts/0\r\n33 120\r\n40 100\r\nto-stderr\r\n');
    } finally {
      tty.socket.destroy();
    }
    const late = await api<any>(daemon, 'POST', `/v1.41/containers/${ttyId}/resize?h=40&w=100`);
    expect(late.status, `resizing a container that is not running is a 409 — src/daemon/routes/containers.ts postContainersResize`).toBe(409);
    const bad = await api<any>(daemon, 'POST', `/v1.41/containers/${ttyId}/resize?h=tall&w=100`);
    expect(bad.status, `a resize whose h or w is not a whole number is a 400 — src/daemon/routes/containers.ts postContainersResize`).toBe(400);
  }, 60_000);

  it('the container list and inspect show docker\'s fields, with all, limit and filters; /info counts them', async () => {
    const daemon = await daemonWithBusybox();
    const running = await create(daemon, 'sleep 100', { Labels: { app: 'web', tier: 'front' } }, 'runner');
    await start(daemon, running);
    const done = await create(daemon, 'true', {}, 'finisher');
    await start(daemon, done);
    await waitExit(daemon, done);
    const fresh = await create(daemon, 'true');

    const list = async (query: string) => {
      const res = await api<any[]>(daemon, 'GET', `/v1.41/containers/json${query}`);
      expect(res.status, `GET /containers/json${query} should answer 200 — src/daemon/routes/containers.ts getContainersJSON`).toBe(200);
      return res.body;
    };
    const plain = await list('');
    expect(plain.map((c) => c.Id), 'without all=1 only running containers are listed').toEqual([running]);
    expect(plain[0], 'a list entry has Names ["/name"], Image, Command, State, Ports [], Labels — src/daemon/containers/container-views.ts toSummary').toMatchObject({
      Names: ['/runner'], Image: 'busybox', Command: 'sh -c sleep 100', State: 'running', Ports: [], Labels: { app: 'web', tier: 'front' },
    });
    expect(plain[0].Status, 'a running container\'s Status reads "Up <duration>"').toMatch(/^Up (Less than a second|\d+ seconds?)$/);
    const all = await list('?all=1');
    expect(all.map((c) => c.Id).sort(), 'all=1 lists every container').toEqual([running, done, fresh].sort());
    expect(all.find((c) => c.Id === done)?.Status, 'an exited one reads "Exited (0) <duration> ago"').toMatch(/^Exited \(0\) (Less than a second|\d+ seconds?) ago$/);
    expect(all.find((c) => c.Id === fresh)?.Status, 'a created one reads "Created"').toBe('Created');
    expect((await list('?limit=1')).map((c) => c.Id), 'limit=1 gives the newest container, whatever its state').toEqual([fresh]);
    const f = (filters: object) => `?all=1&filters=${encodeURIComponent(JSON.stringify(filters))}`;
    expect((await list(f({ status: ['exited'] }))).map((c) => c.Id), 'filter status=exited').toEqual([done]);
    expect((await list(f({ label: ['app=web'] }))).map((c) => c.Id), 'filter label=app=web').toEqual([running]);
    expect((await list(f({ label: ['tier'] }))).map((c) => c.Id), 'filter label=tier (key only)').toEqual([running]);
    expect((await list(f({ name: ['finish'] }))).map((c) => c.Id), 'filter name matches a substring').toEqual([done]);
    expect((await list(f({ id: [fresh.slice(0, 10)] }))).map((c) => c.Id), 'filter id matches a prefix').toEqual([fresh]);
    const counts = await api<any>(daemon, 'GET', '/v1.41/info');
    expect(counts.body, `/info counts the containers by state (docker info's "Containers: 3 Running: 1 Paused: 0 Stopped: 2") and names the runtime — src/daemon/routes/containers.ts containerInfo, from src/daemon/containers/container-service.ts list`).toMatchObject({
      Containers: 3, ContainersRunning: 1, ContainersPaused: 0, ContainersStopped: 2, DefaultRuntime: 'runc', Runtimes: { runc: { path: 'runc' } },
    });

    const info = await inspect(daemon, 'runner');
    expect(info, 'inspect: Id, Name, Path, Args, Image (sha256 id), Driver, RestartCount — src/daemon/containers/container-views.ts toInspect').toMatchObject({
      Id: running, Name: '/runner', Path: 'sh', Args: ['-c', 'sleep 100'], RestartCount: 0,
      NetworkSettings: { Ports: {}, Networks: { bridge: expect.objectContaining({ NetworkID: expect.stringMatching(/^[0-9a-f]{64}$/), Aliases: null }) } }, Mounts: [],
    });
    expect(info.Image, 'inspect Image is the image id').toMatch(/^sha256:[0-9a-f]{64}$/);
    expect(info.Config, 'Config: Hostname (first 12 hex of the id), Labels, Cmd, Image, Tty').toMatchObject({
      Hostname: running.slice(0, 12), Labels: { app: 'web', tier: 'front' }, Cmd: ['sh', '-c', 'sleep 100'], Image: 'busybox', Tty: false,
    });
    expect(info.Config.Env, "Config.Env is the create's Env then the image's (docker's merge): busybox's PATH, no HOSTNAME (that is the process's)").toEqual([expect.stringMatching(/^PATH=/)]);
    expect(info.HostConfig, 'HostConfig: AutoRemove, NetworkMode').toMatchObject({ AutoRemove: false, NetworkMode: 'default' });
    expect(info.State, 'State of a running container').toMatchObject({ Status: 'running', Running: true, Paused: false, Restarting: false, Dead: false, OOMKilled: false, ExitCode: 0 });
    expect(info.State.Pid, 'State.Pid is the container process on the host').toBeGreaterThan(1);
    expect(info.State.StartedAt, 'StartedAt is RFC 3339 with nanoseconds').toMatch(RFC3339_NANO);
    expect(info.State.FinishedAt, 'FinishedAt of a container that never exited is 0001-01-01T00:00:00Z').toBe('0001-01-01T00:00:00Z');
    expect(['overlay2', 'vfs'], 'Driver is overlay2 (overlay rootfs) or vfs (copy)').toContain(info.Driver);
    expect((await inspect(daemon, fresh)).State.StartedAt, 'a created container was never started: StartedAt is the zero time').toBe('0001-01-01T00:00:00Z');
  }, 60_000);

  it('stop sends SIGTERM, then SIGKILL after t seconds', async () => {
    const daemon = await daemonWithBusybox();
    const polite = await create(daemon, 'trap "echo got TERM; exit 42" TERM; while :; do sleep 0.1; done');
    await start(daemon, polite);
    const stopped = await api(daemon, 'POST', `/v1.41/containers/${polite}/stop?t=5`, undefined, 20_000);
    expect(stopped.status, `stop answers 204 once the container exited; it said ${stopped.status} ${stopped.text} — src/daemon/containers/container-service.ts stop`).toBe(204);
    expect((await inspect(daemon, polite)).State, 'a container that handles SIGTERM exits with its own code (42)').toMatchObject({ Running: false, ExitCode: 42 });
    const stubborn = await create(daemon, "trap '' TERM; while :; do sleep 0.1; done");
    await start(daemon, stubborn);
    const killed = await api(daemon, 'POST', `/v1.41/containers/${stubborn}/stop?t=1`, undefined, 20_000);
    expect(killed.status, 'stop answers 204 after the SIGKILL too').toBe(204);
    expect((await inspect(daemon, stubborn)).State.ExitCode, 'a container ignoring SIGTERM is killed after t=1 second: exit code 137 (128+9)').toBe(137);
    const again = await api(daemon, 'POST', `/v1.41/containers/${stubborn}/stop`);
    expect(again.status, 'stopping a container that is not running answers 304').toBe(304);
  }, 60_000);

  it('kill sends the signal asked for, and refuses a container that is not running', async () => {
    const daemon = await daemonWithBusybox();
    const id = await create(daemon, 'trap "exit 5" USR1; while :; do sleep 0.1; done');
    await start(daemon, id);
    const res = await api(daemon, 'POST', `/v1.41/containers/${id}/kill?signal=USR1`);
    expect(res.status, `kill?signal=USR1 answers 204; it said ${res.status} ${res.text} — src/daemon/containers/container-service.ts kill`).toBe(204);
    expect(await waitExit(daemon, id), 'the USR1 trap ran: exit code 5').toBe(5);
    const refused = await api<{ message: string }>(daemon, 'POST', `/v1.41/containers/${id}/kill`);
    expect(refused.status, 'kill on a container that is not running answers 409').toBe(409);
    const other = await create(daemon, 'sleep 100');
    await start(daemon, other);
    const byNumber = await api(daemon, 'POST', `/v1.41/containers/${other}/kill?signal=9`);
    expect(byNumber.status, 'a signal may be a number (9)').toBe(204);
    expect(await waitExit(daemon, other), 'SIGKILL: exit code 137').toBe(137);
  }, 60_000);

  it('restart stops the container and starts it again', async () => {
    const daemon = await daemonWithBusybox();
    // The second run finds the file the first one made: a container's changes survive a restart.
    const id = await create(daemon, 'if [ -e /ran ]; then echo again; else echo started; fi; touch /ran; trap "exit 0" TERM; while :; do sleep 0.1; done');
    await start(daemon, id);
    const before = (await inspect(daemon, id)).State;
    const res = await api(daemon, 'POST', `/v1.41/containers/${id}/restart?t=5`, undefined, 20_000);
    expect(res.status, `restart answers 204; it said ${res.status} ${res.text} — src/daemon/containers/container-service.ts restart`).toBe(204);
    const after = (await inspect(daemon, id)).State;
    expect(after.Running, 'after a restart the container runs').toBe(true);
    expect(after.Pid, 'with a new process').not.toBe(before.Pid);
    expect(after.StartedAt > before.StartedAt, 'StartedAt moves on').toBe(true);
    const out = await logs(daemon, id, 'stdout=1');
    expect(out.stdout, 'both runs wrote to the same log, and the second found /ran: the rootfs keeps its changes (an overlay is mounted again on the same upper/ — src/daemon/containers/container-service.ts start)').toBe('started\nagain\n');
    await api(daemon, 'POST', `/v1.41/containers/${id}/stop?t=5`, undefined, 20_000);
  }, 60_000);

  it('DELETE removes a container with its rootfs and logs, a running one only with force', async () => {
    const daemon = await daemonWithBusybox();
    const id = await create(daemon, 'echo bye; sleep 100', {}, 'doomed');
    await start(daemon, id);
    const refused = await api<{ message: string }>(daemon, 'DELETE', `/v1.41/containers/doomed`);
    expect(refused.status, 'DELETE of a running container without force answers 409 — src/daemon/containers/container-service.ts remove').toBe(409);
    expect(refused.body?.message, "docker's message").toBe(`You cannot remove a running container ${id}. Stop the container before attempting removal or force remove`);
    const forced = await api(daemon, 'DELETE', `/v1.41/containers/doomed?force=1`, undefined, 20_000);
    expect(forced.status, `DELETE ?force=1 kills and removes it: 204; it said ${forced.status} ${forced.text}`).toBe(204);
    expect((await api(daemon, 'GET', `/v1.41/containers/${id}/json`)).status, 'a removed container is gone: 404').toBe(404);
    const exited = await create(daemon, 'true', {}, 'quick');
    await start(daemon, exited);
    await waitExit(daemon, exited);
    expect((await api(daemon, 'DELETE', '/v1.41/containers/quick')).status, 'an exited container is removed without force: 204').toBe(204);
    const left = await fs.readdir(path.join(daemon.dataRoot, 'containers')).catch(() => []);
    expect(left, 'nothing is left in <data root>/containers: rootfs, bundle, fifos, logs and record all go').toEqual([]);
    expect(mountsUnder(path.join(daemon.dataRoot, 'containers')), 'no overlay mount is left behind — removeRootfs').toEqual([]);
    const auto = await create(daemon, 'exit 6', { HostConfig: { AutoRemove: true } });
    await start(daemon, auto);
    expect(await waitExit(daemon, auto, 'removed'), 'with AutoRemove, wait?condition=removed answers with the exit code once it is removed').toBe(6);
    expect((await api(daemon, 'GET', `/v1.41/containers/${auto}/json`)).status, 'an AutoRemove container is gone after its exit').toBe(404);
  }, 60_000);

  it('names, full ids and unique id prefixes find a container', async () => {
    const daemon = await daemonWithBusybox();
    const id = await create(daemon, 'true', {}, 'web');
    for (const ref of [id, 'web', '%2Fweb', id.slice(0, 12)]) {
      expect((await inspect(daemon, ref)).Id, `GET /containers/${ref}/json finds the container — src/daemon/containers/container-store.ts resolve`).toBe(id);
    }
    const clash = await api<{ message: string }>(daemon, 'POST', '/v1.41/containers/create?name=web', { Image: 'busybox', Cmd: ['true'] });
    expect(clash.status, 'a name in use answers 409').toBe(409);
    expect(clash.body?.message, "with docker's message").toBe(
      `Conflict. The container name "/web" is already in use by container "${id}". You have to remove (or rename) that container to be able to reuse that name.`,
    );
    const bad = await api(daemon, 'POST', '/v1.41/containers/create?name=-bad!', { Image: 'busybox', Cmd: ['true'] });
    expect(bad.status, 'a name outside [a-zA-Z0-9][a-zA-Z0-9_.-]+ answers 400').toBe(400);
    const missing = await api<{ message: string }>(daemon, 'GET', '/v1.41/containers/nope/json');
    expect([missing.status, missing.body?.message], 'an unknown container is a 404 "No such container: nope"').toEqual([404, 'No such container: nope']);
    const generated = await create(daemon, 'true');
    expect((await inspect(daemon, generated)).Name, 'without a name the daemon makes up a docker-like /adjective_surname').toMatch(/^\/[a-z]+_[a-z]+\d*$/);
  }, 60_000);

  it('records and logs survive a daemon restart, running containers are adopted', async () => {
    const first = await daemonWithBusybox();
    const ticker = await create(first, 'i=0; while :; do echo tick$i; i=$((i+1)); sleep 0.1; done');
    await start(first, ticker);
    const brief = await create(first, 'sleep 1; exit 4');
    await start(first, brief);
    first.signal('SIGKILL');
    await first.exited;
    await new Promise((r) => setTimeout(r, 2000)); // the ticker keeps writing, the other one exits meanwhile
    const second = await daemons.start({ socketPath: first.socketPath, dataRoot: first.dataRoot });
    const running = await api<any[]>(second, 'GET', '/v1.41/containers/json');
    expect(running.body?.map((c) => c.Id), 'the new daemon still lists the container that kept running — src/daemon/containers/container-service.ts restore').toEqual([ticker]);
    const brief2 = await inspect(second, brief);
    expect(brief2.State, 'a container that exited while the daemon was down is reported exited with its code (adoptTask)').toMatchObject({ Status: 'exited', Running: false, ExitCode: 4 });
    expect(mountsUnder(path.join(second.dataRoot, 'containers', brief)), 'its shim unmounted its rootfs with no daemon there').toEqual([]);
    const ticks = (await logs(second, ticker, 'stdout=1')).stdout.split('\n').filter(Boolean);
    expect(ticks.length, `the lines written while no daemon ran are in the log (got ${ticks.length})`).toBeGreaterThan(15);
    expect(ticks, 'no line is lost or doubled').toEqual(ticks.map((_, i) => `tick${i}`));
    const stopped = await api(second, 'POST', `/v1.41/containers/${ticker}/stop?t=1`, undefined, 20_000);
    expect(stopped.status, 'the adopted container can be stopped: 204').toBe(204);
    expect((await inspect(second, ticker)).State.Running, 'and it is no longer running').toBe(false);
  }, 60_000);

  it("inspect echoes every HostConfig and Config field with docker's defaults, and options it cannot honour are refused", async () => {
    const daemon = await daemonWithBusybox();
    const rnd = seeded();
    const root = process.getuid?.() === 0;
    // What `docker run busybox true` (docker CLI 28) sends, field for field.
    const cli = await create(daemon, 'true', { HostConfig: DOCKER_CLI_HOST_CONFIG, Env: null, Volumes: {}, OnBuild: null });
    const cliView = await inspect(daemon, cli);
    const { MaskedPaths, ReadonlyPaths, ...rest } = cliView.HostConfig;
    expect(rest, `inspect's HostConfig is what create received with docker's defaults filled in (LogConfig json-file, ShmSize 64 MiB, IpcMode private, Runtime runc, MemorySwappiness -1 → null, PidsLimit 0 → null); clients read these back — src/daemon/containers/create-options.ts hostConfigOf, container-views.ts toInspect`).toEqual(CLI_INSPECT_HOST_CONFIG);
    expect([MaskedPaths, ReadonlyPaths], 'MaskedPaths and ReadonlyPaths show the paths every container gets').toEqual([expect.arrayContaining(['/proc/kcore', '/proc/keys']), expect.arrayContaining(['/proc/sys', '/proc/sysrq-trigger'])]);
    const sdk = await inspect(daemon, await create(daemon, 'true'));
    expect(sdk.HostConfig, 'a create with no HostConfig at all (what SDKs send) still gets every field, nulls for lists it did not send').toMatchObject({
      LogConfig: { Type: 'json-file', Config: {} }, Binds: null, Dns: null, Ulimits: null, ShmSize: 67108864, Runtime: 'runc', Isolation: '', MemorySwappiness: null, OomKillDisable: false,
    });
    expect(sdk.Config, 'Config: Volumes and OnBuild are null, not missing; the image\'s PATH is in Env').toMatchObject({ Volumes: null, OnBuild: null, Env: [expect.stringMatching(/^PATH=/)] });

    // Fields that are applied: sent with a seeded value, read back as given (the cgroup ones discarded without root).
    const shares = rnd.int(2, 1024);
    const memory = rnd.int(64, 128) * 1024 * 1024;
    const rows: Array<{ send: Record<string, unknown>; expect: Record<string, unknown>; cgroup?: boolean; rootOnly?: boolean; needsInit?: boolean }> = [
      { send: { CpuShares: shares, CpusetCpus: '0' }, expect: { CpuShares: shares, CpusetCpus: '0' }, cgroup: true },
      { send: { Memory: memory }, expect: { Memory: memory, MemorySwap: memory * 2 }, cgroup: true },
      { send: { PidsLimit: rnd.int(20, 200), MemorySwappiness: rnd.int(0, 100) }, expect: {}, cgroup: true },
      { send: { OomScoreAdj: rnd.int(1, 1000) }, expect: {} },
      { send: { ShmSize: rnd.int(1, 64) * 1024 * 1024 }, expect: {} },
      { send: { ReadonlyRootfs: true, SecurityOpt: ['no-new-privileges'] }, expect: {} },
      { send: { Init: true }, expect: {}, needsInit: true },
      { send: { GroupAdd: ['10', 'nobody'] }, expect: {}, rootOnly: true },
      { send: { Ulimits: [{ Name: 'nofile', Soft: 1000 + rnd.int(0, 20), Hard: 1100 }] }, expect: {} },
      { send: { LogConfig: { Type: 'local', Config: { 'max-size': `${rnd.int(1, 9)}m` } } }, expect: {} },
      { send: { ContainerIDFile: '/tmp/cid', Isolation: 'default', Runtime: 'runc', IpcMode: 'shareable', CgroupnsMode: 'private' }, expect: {} },
      { send: { PidMode: 'host' }, expect: {}, rootOnly: true },
      { send: { UTSMode: 'host' }, expect: {}, rootOnly: true },
    ];
    for (const row of rows) {
      const res = await api<Created & { message?: string }>(daemon, 'POST', '/v1.41/containers/create', { Image: 'busybox', Cmd: ['true'], HostConfig: row.send });
      if (row.rootOnly && !root) {
        expect(res.status, `${JSON.stringify(row.send)} needs root: a rootless daemon refuses it with 400 ${rnd.why}`).toBe(400);
        continue;
      }
      if (row.needsInit && initTool.skip) {
        expect([res.status, res.body?.message], 'without a docker-init on the host, --init is refused, not ignored').toEqual([400, expect.stringMatching(/docker-init/)]);
        continue;
      }
      if (row.needsInit) requireTool(initTool);
      expect(res.status, `create with HostConfig ${JSON.stringify(row.send)} should answer 201; it said ${res.status} ${res.text.slice(0, 300)} ${rnd.why} — src/daemon/containers/create-options.ts`).toBe(201);
      const echoed = (await inspect(daemon, res.body.Id)).HostConfig;
      const wanted = { ...row.send, ...row.expect };
      if (row.cgroup && !root) {
        expect(res.body.Warnings?.join(' '), 'a rootless daemon says it discarded the cgroup limits').toMatch(/discarded/);
        continue;
      }
      expect(echoed, `inspect echoes ${JSON.stringify(wanted)} ${rnd.why}`).toMatchObject(wanted);
    }

    // Config: an Env entry without '=' is kept as given; StopSignal and StopTimeout are kept.
    const timeout = rnd.int(1, 30);
    const cfg = await inspect(daemon, await create(daemon, 'true', { Env: ['FOO', 'A=1'], StopSignal: 'SIGUSR1', StopTimeout: timeout }));
    expect(cfg.Config, `Config keeps Env entries without "=" ("FOO": unset in the process), StopSignal and StopTimeout ${rnd.why} — src/daemon/containers/create-options.ts containerConfigOf`).toMatchObject({
      Env: ['FOO', 'A=1', expect.stringMatching(/^PATH=/)], StopSignal: 'SIGUSR1', StopTimeout: timeout,
    });

    // Refused rather than accepted and ignored: each a 400 naming the field.
    const refusals: Array<[Record<string, unknown>, RegExp]> = [
      [{ HostConfig: { VolumesFrom: ['other'] } }, /HostConfig\.VolumesFrom/],
      [{ HostConfig: { PortBindings: { '80/tcp': [{ HostIp: '0.0.0.0', HostPort: '8080' }] } } }, /not a loopback address/],
      [{ HostConfig: { Privileged: true } }, /HostConfig\.Privileged/],
      [{ HostConfig: { CapAdd: ['NET_ADMIN'] } }, /HostConfig\.CapAdd/],
      [{ HostConfig: { RestartPolicy: { Name: 'always' } } }, /HostConfig\.RestartPolicy/],
      [{ HostConfig: { Devices: [{ PathOnHost: '/dev/null', PathInContainer: '/dev/x', CgroupPermissions: 'rwm' }] } }, /HostConfig\.Devices/],
      [{ HostConfig: { Links: ['db:db'] } }, /legacy container links.*user-defined network/],
      [{ HostConfig: { LogConfig: { Type: 'syslog' } } }, /^logger: no log driver named 'syslog' is registered$/],
      [{ HostConfig: { LogConfig: { Type: 'json-file', Config: { 'max-sise': '1k' } } } }, /^unknown log opt 'max-sise' for json-file log driver$/],
      [{ HostConfig: { Runtime: 'kata' } }, /^unknown or invalid runtime name: kata$/],
      [{ HostConfig: { Memory: memory, MemorySwap: memory / 2 } }, /^Minimum memoryswap limit should be larger than memory limit/],
      [{ HostConfig: { VolumeDriver: 'convoy' } }, /HostConfig\.VolumeDriver/],
      [{ StopSignal: 'SIGNOPE' }, /^Invalid signal: SIGNOPE$/],
    ];
    for (const [fields, message] of refusals) {
      const res = await api<{ message: string }>(daemon, 'POST', '/v1.41/containers/create', { Image: 'busybox', Cmd: ['true'], ...fields });
      expect([res.status, res.body?.message], `${JSON.stringify(fields)} must be refused with a 400 that says why, never accepted and ignored — src/daemon/containers/create-options.ts`).toEqual([400, expect.stringMatching(message)]);
    }
    const unlink = await api<{ message: string }>(daemon, 'DELETE', `/v1.41/containers/${cli}?link=1`);
    expect([unlink.status, unlink.body?.message], 'DELETE ?link=1 (legacy links) is a 400 that names the feature and what to use instead').toEqual([400, expect.stringMatching(/legacy container links.*user-defined network/)]);
  }, 90_000);

  it('HostConfig options take effect: group-add, read-only, init, pid host, and stop uses StopSignal and StopTimeout', async () => {
    const daemon = await daemonWithBusybox();
    const root = process.getuid?.() === 0;
    const run = async (script: string, extra: Record<string, unknown>): Promise<string> => {
      const id = await create(daemon, script, extra);
      await start(daemon, id);
      await waitExit(daemon, id);
      return (await logs(daemon, id, 'stdout=1&stderr=1')).stdout;
    };
    if (root) {
      expect(await run('id -G', { HostConfig: { GroupAdd: ['10', 'nobody'] } }), "--group-add gives the process supplementary groups, names looked up in the image's /etc/group (nobody is 65534) — src/daemon/containers/container-create.ts (resolveGroups → additionalGids)").toBe('0 10 65534\n');
    }
    expect(await run('touch /x 2>/dev/null && echo wrote || echo refused', { HostConfig: { ReadonlyRootfs: true } }), '--read-only: the root filesystem refuses writes').toBe('refused\n');
    if (!initTool.skip) {
      requireTool(initTool);
      expect(await run('tr "\\0" " " </proc/1/cmdline; echo', { HostConfig: { Init: true } }), '--init: pid 1 is docker-init, which runs the command').toMatch(/^\/sbin\/docker-init -- sh -c /);
    }
    if (root) {
      expect(await run(`test -d /proc/${process.pid} && echo host || echo own`, { HostConfig: { PidMode: 'host' } }), '--pid host: the host\'s processes are visible').toBe('host\n');
    }
    const polite = await create(daemon, 'trap "echo got USR1; exit 7" USR1; while :; do sleep 0.1; done', { StopSignal: 'SIGUSR1' });
    await start(daemon, polite);
    expect((await api(daemon, 'POST', `/v1.41/containers/${polite}/stop`, undefined, 20_000)).status, 'stop answers 204').toBe(204);
    expect((await inspect(daemon, polite)).State.ExitCode, 'stop sends Config.StopSignal (SIGUSR1), which the trap turns into exit 7 — src/daemon/containers/container-service.ts stop (stopSignalOf)').toBe(7);
    const stubborn = await create(daemon, "trap '' TERM; while :; do sleep 0.1; done", { StopTimeout: 1 });
    await start(daemon, stubborn);
    const began = Date.now();
    await api(daemon, 'POST', `/v1.41/containers/${stubborn}/stop`, undefined, 20_000);
    expect(Date.now() - began, 'stop with no ?t= waits Config.StopTimeout (1 s), not 10 s, before SIGKILL — src/daemon/containers/container-service.ts stop').toBeLessThan(6000);
    expect((await inspect(daemon, stubborn)).State.ExitCode, 'and kills it: 137').toBe(137);
  }, 90_000);

  it('log drivers: json-file rotates by max-size and max-file, none keeps nothing and logs answers 501', async () => {
    const daemon = await daemonWithBusybox();
    const rnd = seeded();
    const lines = rnd.int(200, 400);
    const id = await create(daemon, `i=0; while [ $i -lt ${lines} ]; do echo "line-$i-${'x'.repeat(40)}"; i=$((i+1)); done`, {
      HostConfig: { LogConfig: { Type: 'json-file', Config: { 'max-size': '2k', 'max-file': '3' } } },
    });
    await start(daemon, id);
    await waitExit(daemon, id);
    const dir = path.join(daemon.dataRoot, 'containers', id);
    const files = (await fs.readdir(dir)).filter((f) => f.startsWith('container-json.log')).sort();
    expect(files, `max-file=3 keeps the log and two rotated files, no more ${rnd.why} — src/daemon/containers/container-service.ts start (openLog), src/runtime/json-log.ts`).toEqual(['container-json.log', 'container-json.log.1', 'container-json.log.2']);
    for (const file of files) {
      expect((await fs.stat(path.join(dir, file))).size, `${file} stays near max-size=2k (2000 bytes)`).toBeLessThanOrEqual(2000 + 200);
    }
    const kept = (await logs(daemon, id, 'stdout=1&stderr=1')).stdout.split('\n').filter(Boolean);
    const first = Number(kept[0]?.split('-')[1]);
    expect(kept.length, `logs reads what the rotated files still hold: the newest lines, fewer than all ${lines} ${rnd.why}`).toBeLessThan(lines);
    expect(kept, 'in order, none lost between the kept files, ending with the last line').toEqual(kept.map((_, i) => `line-${first + i}-${'x'.repeat(40)}`));
    expect(kept.at(-1), 'the last line is the container\'s last').toBe(`line-${lines - 1}-${'x'.repeat(40)}`);

    const quiet = await create(daemon, 'echo hidden', { HostConfig: { LogConfig: { Type: 'none' } } });
    await start(daemon, quiet);
    await waitExit(daemon, quiet);
    const none = await api<{ message: string }>(daemon, 'GET', `/v1.41/containers/${quiet}/logs?stdout=1`);
    expect([none.status, none.body?.message], 'the none driver keeps no log: logs answers docker\'s 501 — src/daemon/routes/logs-and-attach.ts streamLogs (checkLogsReadable)').toEqual([501, 'configured logging driver does not support reading']);
    expect((await fs.readdir(path.join(daemon.dataRoot, 'containers', quiet))).filter((f) => f.startsWith('container-json.log')), 'and no log file was written').toEqual([]);
  }, 60_000);

  it('detach keys end a Tty attach, Ctrl-P Ctrl-Q by default, and the container keeps running', async () => {
    const daemon = await daemonWithBusybox();
    const id = await create(daemon, 'while read line; do echo "got $line"; done', { Tty: true, OpenStdin: true, StdinOnce: true, AttachStdin: true, AttachStdout: true });
    await start(daemon, id);
    for (const [query, keys] of [['', [0x10, 0x11]], ['&detachKeys=ctrl-a,x', [0x01, 0x78]]] as const) {
      const conn = await openAttach(daemon.socketPath, `/v1.41/containers/${id}/attach?stream=1&stdin=1&stdout=1${query}`);
      try {
        let seen = '';
        const echoed = new Promise<void>((resolve) => conn.socket.on('data', (chunk: Buffer) => (seen += chunk.toString()).includes('got ping') && resolve()));
        conn.socket.write('ping\n');
        await within(echoed, 10_000, `the container should echo "got ping" through the Tty attach; it printed ${JSON.stringify(seen)}`);
        // One key per write, as a terminal sends them.
        for (const key of keys) {
          conn.socket.write(Buffer.from([key]));
          await new Promise((r) => setTimeout(r, 50));
        }
        await within(conn.output, 5000, `the detach keys${query || ' (default ctrl-p,ctrl-q)'} must end the attach: the daemon closes the connection — src/daemon/routes/logs-and-attach.ts connectStdin (DetachKeysWatcher)`);
      } finally {
        conn.socket.destroy();
      }
      await new Promise((r) => setTimeout(r, 300));
      expect((await inspect(daemon, id)).State.Running, `after a detach${query} the container keeps running: a Tty's stdin is never closed by the client's end`).toBe(true);
    }
    const bad = await api<{ message: string }>(daemon, 'POST', `/v1.41/containers/${id}/attach?stream=1&stdin=1&detachKeys=ctrl-%3F%3F`);
    expect([bad.status, bad.body?.message], "invalid detach keys are docker's 400").toEqual([400, 'Invalid detach keys (ctrl-??) provided']);
    await api(daemon, 'POST', `/v1.41/containers/${id}/kill`);
  }, 60_000);

  it('minidocker run, ps, logs, stop and rm work end to end', async () => {
    const daemon = await daemons.start();
    const hi = await minidocker(daemon, ['run', '--rm', 'busybox', 'echo', 'hi']);
    expect([hi.code, hi.stdout], `minidocker run --rm busybox echo hi prints hi; stderr: ${hi.stderr.slice(0, 400)}`).toEqual([0, 'hi\n']);
    const hello = await minidocker(daemon, ['run', 'hello-world']);
    expect(hello.stdout, `minidocker run hello-world pulls on first use and prints the greeting; stderr: ${hello.stderr.slice(0, 400)}`).toContain('Hello from');
    const detached = await minidocker(daemon, ['run', '-d', '--name', 'bg', 'busybox', 'sh', '-c', 'echo one; sleep 1; echo two']);
    expect(detached.stdout.trim(), 'run -d prints the full id').toMatch(HEX64);
    const ps = await minidocker(daemon, ['ps', '-a']);
    expect(ps.stdout, 'ps -a lists the container by name').toContain('bg');
    const followed = await minidocker(daemon, ['logs', '-f', 'bg']);
    expect(followed.stdout, 'logs -f follows until the container exits').toBe('one\ntwo\n');
    const stop = await minidocker(daemon, ['stop', 'bg']);
    expect(stop.code, `stop of an exited container is fine (304 is not an error); ${stop.stderr}`).toBe(0);
    const rm = await minidocker(daemon, ['rm', 'bg']);
    expect([rm.code, rm.stdout], 'rm prints the name').toEqual([0, 'bg\n']);
  }, 90_000);

  it.skipIf(docker.skip)('the real docker CLI runs containers on minidockerd', async () => {
    const bin = requireTool(docker);
    const daemon = await daemons.start();
    const { run } = dockerCli(bin, daemon.socketPath, await daemons.harness.tempDir());
    const hi = await run(['run', '--rm', 'busybox', 'echo', 'hi']);
    expect([hi.code, hi.stdout], `docker run --rm busybox echo hi prints hi; stderr: ${hi.stderr.slice(0, 400)}`).toEqual([0, 'hi\n']);
    const code = await run(['run', '--rm', 'busybox', 'sh', '-c', 'exit 3']);
    expect(code.code, 'docker run exits with the container\'s code (from /wait)').toBe(3);
    const d = await run(['run', '-d', '--name', 'web', 'busybox', 'sh', '-c', 'echo up; sleep 1; echo down']);
    expect(d.stdout.trim(), `docker run -d prints the id; stderr: ${d.stderr.slice(0, 300)}`).toMatch(HEX64);
    expect((await run(['ps', '-a'])).stdout, 'docker ps -a shows it').toMatch(/web/);
    expect((await run(['logs', '-f', 'web'])).stdout, 'docker logs -f follows until exit').toBe('up\ndown\n');
    expect((await run(['stop', 'web'])).code, 'docker stop').toBe(0);
    expect((await run(['rm', 'web'])).stdout, 'docker rm').toBe('web\n');
  }, 90_000);

  it.skipIf(docker.skip || scriptTool.skip)('the real docker CLI: docker wait answers at once, Ctrl-P Ctrl-Q detaches run -it and attach, --log-driver bogus is refused', async () => {
    const bin = requireTool(docker);
    requireTool(scriptTool);
    const daemon = await daemons.start();
    const { run, env } = dockerCli(bin, daemon.socketPath, await daemons.harness.tempDir());
    const id = (await run(['run', '-d', 'busybox', 'true'])).stdout.trim();
    expect(id, 'docker run -d busybox true prints the id').toMatch(HEX64);
    await new Promise((r) => setTimeout(r, 1000));
    const began = Date.now();
    const waited = await run(['wait', id], 10_000);
    expect([waited.code, waited.stdout], `docker wait on a container that already exited prints 0; stderr: ${waited.stderr.slice(0, 300)}`).toEqual([0, '0\n']);
    expect(Date.now() - began, 'and answers at once (not-running is the default condition)').toBeLessThan(3000);

    // A terminal session: `script` gives the CLI a tty; the keys are typed one by one.
    const session = async (command: string, keys: string, name: string): Promise<number> => {
      const child = spawn('script', ['-qec', `stty rows 33 cols 120; ${bin} -H unix://${daemon.socketPath} ${command}`, '/dev/null'], { env, stdio: ['pipe', 'pipe', 'pipe'] });
      let out = '';
      child.stdout.on('data', (c: Buffer) => (out += c.toString()));
      const ended = new Promise<number>((resolve) => child.once('exit', (code) => resolve(code ?? -1)));
      try {
        await within(new Promise<void>((resolve) => { const t = setInterval(() => { if (out.includes('#')) { clearInterval(t); resolve(); } }, 50); }), 20_000, `docker ${command} should show the shell's prompt; it printed ${JSON.stringify(out)}`);
        for (const key of keys) {
          child.stdin.write(key);
          await new Promise((r) => setTimeout(r, 100));
        }
        return await within(ended, 10_000, `Ctrl-P Ctrl-Q should detach docker ${command}; it printed ${JSON.stringify(out.slice(-300))} — src/daemon/routes/logs-and-attach.ts`);
      } finally {
        child.kill('SIGKILL');
        void name;
      }
    };
    expect(await session('run -it --name tty-box busybox sh', '\x10\x11', 'run'), 'docker run -it ends when Ctrl-P Ctrl-Q are typed').toBe(0);
    expect((await run(['inspect', '--format', '{{.State.Running}}', 'tty-box'])).stdout, 'and the container keeps running').toBe('true\n');
    await session('attach tty-box', '\n\x10\x11', 'attach');
    expect((await run(['inspect', '--format', '{{.State.Running}}', 'tty-box'])).stdout, 'docker attach detaches the same way, and the container still runs').toBe('true\n');
    await run(['rm', '-f', 'tty-box']);

    const bogus = await run(['run', '--rm', '--log-driver', 'bogus', 'busybox', 'true']);
    expect([bogus.code === 0, bogus.stderr], '--log-driver bogus is refused with docker\'s message').toEqual([false, expect.stringContaining("logger: no log driver named 'bogus' is registered")]);
  }, 120_000);
});
