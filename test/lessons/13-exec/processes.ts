/**
 * Lesson 13's checks of a container's processes: top, pause and unpause,
 * stats (one sample, two a second apart, a stream), through raw HTTP, the
 * minidocker CLI and the real docker CLI. As root, containers have a cgroup
 * (`/minidocker/<id>`) to freeze and to read; rootless they have none, and
 * the checks expect what docker answers then.
 */
import { execFile, spawn } from 'node:child_process';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { expect, it } from 'vitest';
import type { ContainerDaemons, MirrorFixture } from '../../support/container-harness.js';
import { api, requestBytes, runContainer, within } from '../../support/container-harness.js';
import type { DaemonProcess } from '../../support/daemon-harness.js';
import { dockerCli } from '../../support/docker-cli.js';
import { prerequisite, requireTool } from '../../support/prereq.js';
import { seeded } from '../../support/seeded.js';
import { minidocker as runMinidocker } from '../../support/minidocker-cli.js';
import type { CliResult } from '../../support/docker-cli.js';

const exec = promisify(execFile);

const PROCESSES = 'src/daemon/containers/container-processes.ts';
const ZERO_TIME = '0001-01-01T00:00:00Z';
const MIB = 1024 * 1024;
const root = process.getuid?.() === 0;

/** The fixtures the lesson's test file owns. */
export interface ProcessCheckFixtures {
  daemons: ContainerDaemons;
  mirror: MirrorFixture;
}

/** Removes a container, thawing and killing it first (best effort: a failed check must not leave it frozen). */
async function removeForce(daemon: DaemonProcess, id: string): Promise<void> {
  await api(daemon, 'POST', `/v1.41/containers/${id}/unpause`).catch(() => undefined);
  await api(daemon, 'DELETE', `/v1.41/containers/${id}?force=1`, undefined, 20_000).catch(() => undefined);
}

/** The last line the container wrote to stdout, as a number (NaN when none). */
async function lastNumber(daemon: DaemonProcess, id: string): Promise<number> {
  const res = await requestBytes(daemon.socketPath, 'GET', `/v1.41/containers/${id}/logs?stdout=1&tail=1`);
  // One frame: an 8-byte header, then the line.
  return Number(res.body.subarray(8).toString().trim());
}

/** Polls `read` until `done` holds for its value, or `ms` pass; returns the last value. */
async function until<T>(read: () => Promise<T>, done: (value: T) => boolean, ms: number): Promise<T> {
  const deadline = Date.now() + ms;
  for (;;) {
    const value = await read();
    if (done(value) || Date.now() > deadline) return value;
    await new Promise((r) => setTimeout(r, 150));
  }
}

/** The runtime's own view of the container: `runc state`'s status under the daemon's runtime root. */
async function runtimeStatus(daemon: DaemonProcess, id: string): Promise<string> {
  const { stdout } = await exec('runc', ['--root', path.join(daemon.dataRoot, 'runtime', 'runc'), 'state', id]);
  return (JSON.parse(stdout) as { status: string }).status;
}

/** Reads the first `count` newline-ended JSON objects of a stats stream, with when each arrived; then hangs up. */
function readStream(daemon: DaemonProcess, target: string, count: number): Promise<{ status: number; samples: Array<{ at: number; body: any }> }> {
  return new Promise((resolve, reject) => {
    const req = http.request({ socketPath: daemon.socketPath, method: 'GET', path: target, agent: false }, (res) => {
      const samples: Array<{ at: number; body: any }> = [];
      let pending = '';
      const finish = (): void => {
        req.destroy();
        resolve({ status: res.statusCode ?? 0, samples });
      };
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => {
        pending += chunk;
        let end: number;
        while ((end = pending.indexOf('\n')) >= 0) {
          const line = pending.slice(0, end);
          pending = pending.slice(end + 1);
          samples.push({ at: Date.now(), body: JSON.parse(line) });
          if (samples.length === count) return finish();
        }
      });
      res.on('end', finish);
    });
    req.on('error', reject);
    req.end();
  });
}

/** docker's CPU % of a sample (cli/command/container/stats_helpers.go). */
function cpuPercent(sample: any): number {
  const cpuDelta = sample.cpu_stats.cpu_usage.total_usage - sample.precpu_stats.cpu_usage.total_usage;
  const systemDelta = (sample.cpu_stats.system_cpu_usage ?? 0) - (sample.precpu_stats.system_cpu_usage ?? 0);
  return systemDelta > 0 && cpuDelta > 0 ? (cpuDelta / systemDelta) * sample.cpu_stats.online_cpus * 100 : 0;
}

function minidocker(daemon: DaemonProcess, args: string[], timeoutMs = 30_000): Promise<CliResult> {
  return runMinidocker(daemon.socketPath, args, timeoutMs);
}

/** Declares the process checks (top, pause, stats) inside the lesson's describe. */
export function registerProcessChecks(fixtures: ProcessCheckFixtures): void {
  const { daemons } = fixtures;
  const docker = prerequisite('docker', 'install the docker CLI: https://docs.docker.com/engine/install/');

  const daemonWithBusybox = async (): Promise<DaemonProcess> => {
    const daemon = await daemons.start();
    await daemons.pull(daemon, 'busybox');
    return daemon;
  };

  it("top lists the container's processes, with ps_args", async () => {
    const rnd = seeded();
    const [a, b, other, host] = [rnd.int(1000, 2999), rnd.int(3000, 4999), rnd.int(5000, 6999), rnd.int(7000, 8999)];
    const daemon = await daemonWithBusybox();
    const id = await runContainer(daemon, `sleep ${a} & sleep ${b} & wait`);
    const neighbour = await runContainer(daemon, `sleep ${other}`);
    const hostSleep = spawn('sleep', [String(host)], { stdio: 'ignore' });
    try {
      const top = (query = '') => api(daemon, 'GET', `/v1.41/containers/${id}/top${query}`);
      const res = await until(top, (r) => r.status !== 200 || (r.body?.Processes?.length ?? 0) >= 3, 5000);
      expect(res.status, `GET /containers/{id}/top should answer 200 {Titles, Processes}; it said ${res.status} ${res.text.slice(0, 300)} — ${PROCESSES} top`).toBe(200);
      expect(res.body.Titles, `without ps_args, top runs the host's ps -ef: its header words are the Titles — ${PROCESSES} parsePsOutput`).toEqual(['UID', 'PID', 'PPID', 'C', 'STIME', 'TTY', 'TIME', 'CMD']);
      const commands = (res.body.Processes as string[][]).map((row) => row.at(-1)).sort();
      expect(commands, `the rows are the container's three processes, and only them (not its neighbour's sleep ${other}, not the host's sleep ${host}); the CMD column keeps its spaces ${rnd.why} — ${PROCESSES} top (runc ps) and parsePsOutput`).toEqual(
        [`sh -c sleep ${a} & sleep ${b} & wait`, `sleep ${a}`, `sleep ${b}`].sort(),
      );
      for (const row of res.body.Processes as string[][]) expect(row.length, 'every row has one field per title').toBe(8);
      const init = (await api(daemon, 'GET', `/v1.41/containers/${id}/json`)).body.State.Pid;
      expect((res.body.Processes as string[][]).find((row) => row[7]?.startsWith('sh -c'))?.[1], "the PID column shows host pids: the shell's is the container's State.Pid").toBe(String(init));

      const custom = await top(`?ps_args=${encodeURIComponent('-o pid,ppid,args')}`);
      expect(custom.status, `top?ps_args=-o pid,ppid,args answers 200; it said ${custom.status} ${custom.text.slice(0, 300)} — ${PROCESSES} top`).toBe(200);
      expect(custom.body.Titles, 'ps_args are passed to ps, split on spaces: ps -o pid,ppid,args').toEqual(['PID', 'PPID', 'COMMAND']);
      const sleeps = (custom.body.Processes as string[][]).filter((row) => row[2]?.startsWith('sleep '));
      expect(sleeps.map((row) => [row[1], row[2]]).sort(), `both sleeps, children of the container's shell ${rnd.why}`).toEqual([[String(init), `sleep ${a}`], [String(init), `sleep ${b}`]].sort());
      const bsd = await top('?ps_args=aux');
      expect([bsd.status, bsd.body?.Titles?.[1], bsd.body?.Titles?.at(-1), bsd.body?.Processes?.length], 'ps_args=aux: the PID column is found by its title wherever it is').toEqual([200, 'PID', 'COMMAND', 3]);

      const noPid = await top('?ps_args=-o%20comm');
      expect([noPid.status, noPid.body?.message], `ps output without a PID column is docker's 500 — ${PROCESSES} parsePsOutput`).toEqual([500, "Couldn't find PID field in ps output"]);
      const bad = await top('?ps_args=--no-such-option');
      expect([bad.status, bad.body?.message], 'ps failing is a 500 naming ps and what it said').toEqual([500, expect.stringMatching(/^ps: ./)]);
      const missing = await api(daemon, 'GET', '/v1.41/containers/no-such-container/top');
      expect([missing.status, missing.body?.message], 'top of an unknown container is a 404').toEqual([404, 'No such container: no-such-container']);
      await api(daemon, 'POST', `/v1.41/containers/${neighbour}/kill`);
      await api(daemon, 'POST', `/v1.41/containers/${neighbour}/wait`, undefined, 20_000);
      const stopped = await api(daemon, 'GET', `/v1.41/containers/${neighbour}/top`);
      expect([stopped.status, stopped.body?.message], `top of a container that exited is docker's 409 — ${PROCESSES} top (checkTransition)`).toEqual([409, `Container ${neighbour} is not running`]);
    } finally {
      hostSleep.kill('SIGKILL');
      await removeForce(daemon, id);
    }
  }, 60_000);

  it('pause freezes the container and unpause resumes it: a counter stops advancing', async () => {
    const daemon = await daemonWithBusybox();
    const id = await runContainer(daemon, 'i=0; while :; do i=$((i+1)); echo $i; sleep 0.1; done');
    try {
      await until(() => lastNumber(daemon, id), (n) => n > 2, 5000);
      const paused = await api(daemon, 'POST', `/v1.41/containers/${id}/pause`);
      if (!root) {
        // Rootless: runc creates no cgroup, so there is nothing to freeze: the freezing itself cannot be checked.
        expect([paused.status, paused.body?.message], `rootless, pause is a 500 that says why: the container has no cgroup to freeze — ${PROCESSES} pause (noCgroupToFreeze)`).toEqual([
          500, expect.stringMatching(new RegExp(`^cannot pause container ${id}: .*no cgroup`)),
        ]);
        expect((await api(daemon, 'GET', `/v1.41/containers/${id}/json`)).body.State.Status, 'and the container goes on running').toBe('running');
        const unpause = await api(daemon, 'POST', `/v1.41/containers/${id}/unpause`);
        expect([unpause.status, unpause.body?.message], 'unpause of a container that is not paused is docker\'s 409').toEqual([409, `Container ${id} is not paused`]);
        return;
      }
      expect(paused.status, `POST /containers/{id}/pause answers 204; it said ${paused.status} ${paused.text.slice(0, 300)} — ${PROCESSES} pause`).toBe(204);
      expect(await runtimeStatus(daemon, id), 'runc state says paused: the freezer holds every process (runc pause)').toBe('paused');
      const state = (await api(daemon, 'GET', `/v1.41/containers/${id}/json`)).body.State;
      expect(state, `inspect shows Status "paused", Paused true, and Running still true — ${PROCESSES} pause (save the record)`).toMatchObject({ Status: 'paused', Running: true, Paused: true });
      await new Promise((r) => setTimeout(r, 300));
      const frozen = await lastNumber(daemon, id);
      await new Promise((r) => setTimeout(r, 1200));
      expect(await lastNumber(daemon, id), 'while paused, the counter does not advance').toBe(frozen);
      const info = (await api(daemon, 'GET', '/v1.41/info')).body;
      expect([info.ContainersPaused, info.ContainersRunning], '/info counts the container as paused, not running').toEqual([1, 0]);
      const again = await api(daemon, 'POST', `/v1.41/containers/${id}/pause`);
      expect([again.status, again.body?.message], 'pausing it again is docker\'s 409').toEqual([409, `Container ${id} is already paused`]);

      const unpaused = await api(daemon, 'POST', `/v1.41/containers/${id}/unpause`);
      expect(unpaused.status, `POST /containers/{id}/unpause answers 204; it said ${unpaused.status} ${unpaused.text.slice(0, 300)} — ${PROCESSES} unpause`).toBe(204);
      expect(await runtimeStatus(daemon, id), 'runc state says running again (runc resume)').toBe('running');
      expect((await api(daemon, 'GET', `/v1.41/containers/${id}/json`)).body.State, 'inspect shows Status "running", Paused false').toMatchObject({ Status: 'running', Paused: false });
      const resumed = await until(() => lastNumber(daemon, id), (n) => n > frozen + 3, 5000);
      expect(resumed, 'after unpause the counter advances again').toBeGreaterThan(frozen + 3);
      const twice = await api(daemon, 'POST', `/v1.41/containers/${id}/unpause`);
      expect([twice.status, twice.body?.message], 'unpausing a running container is docker\'s 409').toEqual([409, `Container ${id} is not paused`]);
      await api(daemon, 'POST', `/v1.41/containers/${id}/kill`);
      await api(daemon, 'POST', `/v1.41/containers/${id}/wait`, undefined, 20_000);
      const exited = await api(daemon, 'POST', `/v1.41/containers/${id}/pause`);
      expect([exited.status, exited.body?.message], 'pausing a container that exited is docker\'s 409').toEqual([409, `Container ${id} is not running`]);
    } finally {
      await removeForce(daemon, id);
    }
  }, 60_000);

  it("stats reports the container's memory and CPU, one sample or a stream, and its memory usage grows when the container allocates", async () => {
    const rnd = seeded();
    const fill = rnd.int(24, 48);
    const limit = rnd.int(96, 160);
    const daemon = await daemonWithBusybox();
    const cpus = os.cpus().length;
    // It waits, writes `fill` MiB to /dev/shm (memory, charged to its cgroup), then keeps a CPU busy.
    const script = `sleep 2; dd if=/dev/zero of=/dev/shm/fill bs=1048576 count=${fill} 2>/dev/null; while :; do :; done`;
    const id = await runContainer(daemon, script, root ? { HostConfig: { Memory: limit * MIB } } : {}, 'statsbox');
    try {
      const oneShot = () => api(daemon, 'GET', `/v1.41/containers/${id}/stats?stream=0&one-shot=1`);
      const first = await oneShot();
      expect(first.status, `GET /containers/{id}/stats?stream=0&one-shot=1 answers 200 with one sample; it said ${first.status} ${first.text.slice(0, 300)} — ${PROCESSES} stats`).toBe(200);
      const s0 = first.body;
      expect([s0.id, s0.name, s0.num_procs, s0.storage_stats], 'a sample names the container (id, "/name"), num_procs 0, storage_stats {}').toEqual([id, '/statsbox', 0, {}]);
      expect([s0.preread, s0.precpu_stats?.cpu_usage?.total_usage], 'one-shot: no previous sample, so preread is Go\'s zero time and precpu_stats zeros').toEqual([ZERO_TIME, 0]);
      if (!root) {
        expect([s0.read, s0.memory_stats, s0.cpu_stats?.cpu_usage?.total_usage, s0.pids_stats], `rootless, a container has no cgroup: stats are docker's zeros (read ${ZERO_TIME}, memory_stats {}) — ${PROCESSES} stats`).toEqual([ZERO_TIME, {}, 0, {}]);
        const two = await within(api(daemon, 'GET', `/v1.41/containers/${id}/stats?stream=0`), 3000, 'stream=0 of a container without counters answers at once');
        expect([two.status, two.body?.read], 'stream=0 also answers zeros').toEqual([200, ZERO_TIME]);
        return;
      }
      expect(Date.parse(s0.read), `read is the time of the sample (RFC 3339), not ${ZERO_TIME} — ${PROCESSES} stats`).toBeGreaterThan(Date.now() - 60_000);
      expect(s0.memory_stats.limit, `memory_stats.limit is the container's --memory, ${limit} MiB, read from its cgroup ${rnd.why} — ${PROCESSES} stats (readCgroupStats of the bundle's cgroupsPath)`).toBe(limit * MIB);
      expect(s0.memory_stats.usage, 'memory_stats.usage is the container\'s own: above 0, and far below the host\'s (a shell and a sleep)').toBeGreaterThan(0);
      expect(s0.memory_stats.usage, 'memory_stats.usage is the container\'s own, not the host\'s').toBeLessThan(32 * MIB);
      expect(typeof s0.memory_stats.stats, 'memory_stats.stats holds the cgroup\'s memory.stat').toBe('object');
      expect(s0.pids_stats.current, 'pids_stats.current counts the container\'s processes').toBeGreaterThanOrEqual(1);
      expect([s0.cpu_stats.online_cpus, s0.cpu_stats.system_cpu_usage > 0], `cpu_stats has the host's online CPUs (${cpus}) and its CPU time (system_cpu_usage, /proc/stat) — ${PROCESSES} stats (readSystemCpu)`).toEqual([cpus, true]);

      const grown = await until(async () => (await oneShot()).body, (s) => (s.memory_stats?.usage ?? 0) >= s0.memory_stats.usage + 0.9 * fill * MIB, 15_000);
      expect(grown.memory_stats?.usage, `after the container wrote ${fill} MiB to /dev/shm, memory_stats.usage grew by about as much ${rnd.why} — ${PROCESSES} stats`).toBeGreaterThanOrEqual(s0.memory_stats.usage + 0.9 * fill * MIB);

      await new Promise((r) => setTimeout(r, 500)); // the busy loop has started
      const began = Date.now();
      const pair = await api(daemon, 'GET', `/v1.41/containers/${id}/stats?stream=0`);
      const s1 = pair.body;
      expect(pair.status, `stats?stream=0 answers 200 with one sample; it said ${pair.status} ${pair.text.slice(0, 300)}`).toBe(200);
      expect(Date.now() - began, 'stream=0 without one-shot takes a second sample a second after the first, as docker does').toBeGreaterThan(700);
      expect(s1.preread, 'its preread is the first sample\'s read').not.toBe(ZERO_TIME);
      expect(Date.parse(s1.read) - Date.parse(s1.preread), 'about a second apart').toBeGreaterThan(500);
      expect(s1.precpu_stats.cpu_usage.total_usage, `precpu_stats is the first sample's cpu_stats: the busy container's CPU time grew in between — ${PROCESSES} stats (previous)`).toBeGreaterThan(0);
      expect(s1.cpu_stats.cpu_usage.total_usage, 'cpu_usage.total_usage grows while the container computes').toBeGreaterThan(s1.precpu_stats.cpu_usage.total_usage);
      expect(cpuPercent(s1), 'docker\'s CPU % of a busy container (cpu delta / system delta × CPUs × 100) is well above 0').toBeGreaterThan(10);

      const stream = await readStream(daemon, `/v1.41/containers/${id}/stats`, 2);
      expect([stream.status, stream.samples.length], 'without stream=0, stats is a stream: one JSON object per line').toEqual([200, 2]);
      const [one, two] = stream.samples as [{ at: number; body: any }, { at: number; body: any }];
      expect(two.at - one.at, 'the stream sends a sample about every second').toBeGreaterThan(500);
      expect([two.body.preread, two.body.precpu_stats.cpu_usage.total_usage], 'each sample carries the one before as preread and precpu_stats').toEqual([one.body.read, one.body.cpu_stats.cpu_usage.total_usage]);
      expect((await api(daemon, 'GET', '/v1.41/containers/json')).status, 'the daemon goes on serving after the client hung up on the stream').toBe(200);

      const both = await api(daemon, 'GET', `/v1.41/containers/${id}/stats?stream=1&one-shot=1`);
      expect([both.status, both.body?.message], 'stream=1&one-shot=1 is docker\'s 400').toEqual([400, 'cannot have stream=true and one-shot=true']);
      const missing = await api(daemon, 'GET', '/v1.41/containers/no-such-container/stats?stream=0');
      expect(missing.status, 'stats of an unknown container is a 404').toBe(404);

      await api(daemon, 'POST', `/v1.41/containers/${id}/kill`);
      await api(daemon, 'POST', `/v1.41/containers/${id}/wait`, undefined, 20_000);
      const after = await within(api(daemon, 'GET', `/v1.41/containers/${id}/stats?stream=0`), 3000, 'stats?stream=0 of a container that exited answers at once');
      expect([after.status, after.body?.read, after.body?.memory_stats, after.body?.cpu_stats?.cpu_usage?.total_usage, after.body?.id], `a container that exited answers docker's zeros — ${PROCESSES} stats`).toEqual([200, ZERO_TIME, {}, 0, id]);
    } finally {
      await removeForce(daemon, id);
    }
  }, 90_000);

  it('minidocker top, pause, unpause and stats --no-stream print what docker prints', async () => {
    const rnd = seeded();
    const seconds = rnd.int(1000, 9999);
    const daemon = await daemonWithBusybox();
    const id = await runContainer(daemon, `sleep ${seconds}`, {}, 'procs');
    try {
      const top = await minidocker(daemon, ['top', 'procs', '-o', 'pid,args']);
      const lines = top.stdout.trimEnd().split('\n');
      expect([top.code, lines[0]?.split(/\s+/)], `minidocker top procs -o pid,args prints ps's header; stderr: ${top.stderr.slice(0, 300)} — ${PROCESSES} top`).toEqual([0, ['PID', 'COMMAND']]);
      expect(lines.slice(1), `then the container's process ${rnd.why}`).toEqual([expect.stringMatching(new RegExp(`^\\d+\\s+sleep ${seconds}$`))]);
      const pause = await minidocker(daemon, ['pause', 'procs']);
      if (root) {
        expect([pause.code, pause.stdout], `minidocker pause procs prints the name; stderr: ${pause.stderr.slice(0, 300)} — ${PROCESSES} pause`).toEqual([0, 'procs\n']);
        const unpause = await minidocker(daemon, ['unpause', 'procs']);
        expect([unpause.code, unpause.stdout], `minidocker unpause procs prints the name; stderr: ${unpause.stderr.slice(0, 300)} — ${PROCESSES} unpause`).toEqual([0, 'procs\n']);
      } else {
        expect([pause.code, pause.stderr], 'rootless, minidocker pause fails with the daemon\'s reason').toEqual([1, expect.stringContaining('Error response from daemon: cannot pause container')]);
      }
      const stats = await minidocker(daemon, ['stats', '--no-stream', 'procs']);
      const [header, row, ...rest] = stats.stdout.trimEnd().split('\n');
      expect([stats.code, header?.split(/\s{2,}/)], `minidocker stats --no-stream prints docker's columns; stderr: ${stats.stderr.slice(0, 300)}`).toEqual([
        0, ['CONTAINER ID', 'NAME', 'CPU %', 'MEM USAGE / LIMIT', 'MEM %', 'NET I/O', 'BLOCK I/O', 'PIDS'],
      ]);
      const usage = root ? /^[1-9][\d.]*[KM]iB \/ [\d.]+[KMGT]iB$/ : /^0B \/ 0B$/;
      expect([row?.split(/\s{2,}/), rest], `and one row for the container: short id, name, CPU %, memory ${root ? 'used (not 0B)' : '0B (rootless: no cgroup)'} / limit — ${PROCESSES} stats`).toEqual([
        [id.slice(0, 12), 'procs', expect.stringMatching(/^\d+\.\d\d%$/), expect.stringMatching(usage), expect.stringMatching(/^\d+\.\d\d%$/), '0B / 0B', expect.stringMatching(/ \/ /), root ? '1' : '0'],
        [],
      ]);
    } finally {
      await removeForce(daemon, id);
    }
  }, 60_000);

  it.skipIf(docker.skip)('the docker CLI runs top, pause, unpause and stats --no-stream', async () => {
    const bin = requireTool(docker);
    const rnd = seeded();
    const seconds = rnd.int(1000, 9999);
    const daemon = await daemons.start();
    const { run } = dockerCli(bin, daemon.socketPath, await daemons.harness.tempDir());
    const started = await run(['run', '-d', '--name', 'procs', 'busybox', 'sleep', String(seconds)]);
    expect(started.code, `docker run -d --name procs busybox sleep N; stderr: ${started.stderr.slice(0, 300)}`).toBe(0);
    try {
      const top = await run(['top', 'procs']);
      expect(top.stdout.split('\n')[0]?.split(/\s+/), `docker top procs prints ps -ef's header; stderr: ${top.stderr.slice(0, 300)} — ${PROCESSES} top`).toEqual(['UID', 'PID', 'PPID', 'C', 'STIME', 'TTY', 'TIME', 'CMD']);
      expect(top.stdout, `and the container's sleep ${seconds} ${rnd.why}`).toMatch(new RegExp(`\\ssleep ${seconds}\\n`));
      const custom = await run(['top', 'procs', '-o', 'pid,args']);
      expect(custom.stdout.split('\n')[0]?.split(/\s+/), 'docker top procs -o pid,args passes the options to ps').toEqual(['PID', 'COMMAND']);
      if (root) {
        const pause = await run(['pause', 'procs']);
        expect([pause.code, pause.stdout], `docker pause procs prints the name; stderr: ${pause.stderr.slice(0, 300)} — ${PROCESSES} pause`).toEqual([0, 'procs\n']);
        expect((await run(['ps', '--filter', 'name=procs', '--format', '{{.Status}}'])).stdout, 'docker ps shows it (Paused)').toMatch(/^Up .*\(Paused\)\n$/);
        const unpause = await run(['unpause', 'procs']);
        expect([unpause.code, unpause.stdout], `docker unpause procs prints the name; stderr: ${unpause.stderr.slice(0, 300)} — ${PROCESSES} unpause`).toEqual([0, 'procs\n']);
      } else {
        const pause = await run(['pause', 'procs']);
        expect([pause.code, pause.stderr], 'rootless, docker pause fails with the daemon\'s reason').toEqual([1, expect.stringContaining('Error response from daemon: cannot pause container')]);
      }
      const stats = await run(['stats', '--no-stream', 'procs']);
      const [header, row] = stats.stdout.split('\n');
      expect(header?.split(/\s{2,}/), `docker stats --no-stream prints its columns; stderr: ${stats.stderr.slice(0, 300)}`).toEqual(['CONTAINER ID', 'NAME', 'CPU %', 'MEM USAGE / LIMIT', 'MEM %', 'NET I/O', 'BLOCK I/O', 'PIDS']);
      const cells = row?.split(/\s{2,}/) ?? [];
      expect([cells[0], cells[1]], 'and a row for the container: short id and name').toEqual([expect.stringMatching(/^[0-9a-f]{12}$/), 'procs']);
      if (root) {
        expect(cells[3], `MEM USAGE / LIMIT is real: not 0B, read from the container's cgroup — ${PROCESSES} stats`).toMatch(/^[1-9][\d.]*[KM]iB \/ [\d.]+[KMGT]iB$/);
        expect(cells[7], 'PIDS counts the sleep').toBe('1');
      } else {
        expect(cells[3], 'rootless: no cgroup, docker\'s zeros').toBe('0B / 0B');
      }
      expect((await run(['stats', '--no-stream'])).stdout, 'docker stats --no-stream with no names lists the running containers').toMatch(/\sprocs\s/);
    } finally {
      await run(['rm', '-f', 'procs']);
    }
  }, 90_000);
}
