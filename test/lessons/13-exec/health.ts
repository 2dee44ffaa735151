/**
 * Lesson 13's health-check checks: probes run as execs on a timer, and move
 * State.Health between starting, healthy and unhealthy.
 */
import { expect, it } from 'vitest';
import type { ContainerDaemons } from '../../support/container-harness.js';
import { api } from '../../support/container-harness.js';
import type { DaemonProcess } from '../../support/daemon-harness.js';
import { dockerCli } from '../../support/docker-cli.js';
import { minidocker } from '../../support/minidocker-cli.js';
import type { Prerequisite } from '../../support/prereq.js';
import { requireTool } from '../../support/prereq.js';

const HEALTH = 'src/daemon/containers/health.ts';
const MS = 1_000_000;

/** Polls inspect until `done` holds for it, or `ms` pass; returns the last inspect. */
async function inspectUntil(daemon: DaemonProcess, id: string, done: (info: any) => boolean, ms: number): Promise<any> {
  const until = Date.now() + ms;
  for (;;) {
    const info = (await api(daemon, 'GET', `/v1.41/containers/${id}/json`)).body;
    if (done(info) || Date.now() > until) return info;
    await new Promise((r) => setTimeout(r, 100));
  }
}

/** Declares the health-check checks inside the lesson's describe. */
export function registerHealthChecks(fixtures: { daemons: ContainerDaemons; docker: Prerequisite }): void {
  const { daemons, docker } = fixtures;

  const run = async (daemon: DaemonProcess, healthcheck: Record<string, unknown>, extra: Record<string, unknown> = {}): Promise<string> => {
    const res = await api(daemon, 'POST', '/v1.41/containers/create', { Image: 'busybox', Cmd: ['sleep', '60'], Healthcheck: healthcheck, ...extra });
    expect(res.status, `create with a Healthcheck should answer 201; it said ${res.status} ${res.text.slice(0, 300)} — src/daemon/containers/create-options.ts`).toBe(201);
    const id = res.body.Id as string;
    expect((await api(daemon, 'POST', `/v1.41/containers/${id}/start`)).status, 'start answers 204').toBe(204);
    return id;
  };

  it('a passing probe turns starting into healthy, a failing one unhealthy after Retries, and a hanging one is killed at its timeout', async () => {
    const daemon = await daemons.start();
    await daemons.pull(daemon, 'busybox');
    const good = await run(daemon, { Test: ['CMD', 'true'], Interval: 200 * MS });
    const first = (await api(daemon, 'GET', `/v1.41/containers/${good}/json`)).body;
    expect(first.State.Health?.Status, `right after start a container with a health check is "starting" — ${HEALTH} HealthMonitor.start`).toBe('starting');
    const healthy = await inspectUntil(daemon, good, (i) => i.State.Health?.Status === 'healthy', 10_000);
    expect(healthy.State.Health, `a probe that exits 0 makes it healthy, FailingStreak 0, its run in Log — ${HEALTH} recordProbe`).toMatchObject({
      Status: 'healthy', FailingStreak: 0, Log: expect.arrayContaining([expect.objectContaining({ ExitCode: 0 })]),
    });
    const list = (await api<any[]>(daemon, 'GET', '/v1.41/containers/json')).body;
    expect(list.find((c) => c.Id === good)?.Status, 'ps shows "(healthy)" after the uptime — src/daemon/containers/container-views.ts statusColumn').toMatch(/^Up .* \(healthy\)$/);

    const bad = await run(daemon, { Test: ['CMD-SHELL', 'echo nope; exit 1'], Interval: 200 * MS, Retries: 2 });
    const unhealthy = await inspectUntil(daemon, bad, (i) => i.State.Health?.Status === 'unhealthy', 10_000);
    expect(unhealthy.State.Health?.Status, `two failures in a row (Retries 2) make it unhealthy — ${HEALTH} recordProbe`).toBe('unhealthy');
    expect(unhealthy.State.Health.FailingStreak, 'FailingStreak counts the failures').toBeGreaterThanOrEqual(2);
    expect(unhealthy.State.Health.Log.at(-1), 'CMD-SHELL runs through /bin/sh -c: its output and exit code are logged').toMatchObject({ ExitCode: 1, Output: 'nope\n' });
    expect(unhealthy.State.Health.Log.length, 'the Log keeps the last five probes at most').toBeLessThanOrEqual(5);

    const hung = await run(daemon, { Test: ['CMD', 'sleep', '30'], Interval: 200 * MS, Timeout: 300 * MS, Retries: 1 });
    const timedOut = await inspectUntil(daemon, hung, (i) => i.State.Health?.Status === 'unhealthy', 10_000);
    expect(timedOut.State.Health?.Status, 'a probe that outlives its Timeout is killed and counts as a failure').toBe('unhealthy');
    expect(timedOut.State.Health.Log[0].ExitCode, 'its exit code in the Log is -1').toBe(-1);

    const none = await run(daemon, { Test: ['NONE'] });
    expect((await api(daemon, 'GET', `/v1.41/containers/${none}/json`)).body.State.Health, 'Test ["NONE"] means no health check: no State.Health').toBeUndefined();
    for (const id of [good, bad, hung, none]) await api(daemon, 'DELETE', `/v1.41/containers/${id}?force=1`, undefined, 20_000);
  }, 60_000);

  it('health checks stop with the container and resume after a daemon restart', async () => {
    const first = await daemons.start();
    await daemons.pull(first, 'busybox');
    const id = await run(first, { Test: ['CMD', 'true'], Interval: 200 * MS });
    await inspectUntil(first, id, (i) => i.State.Health?.Status === 'healthy', 10_000);
    first.signal('SIGKILL');
    await first.exited;
    const second = await daemons.start({ socketPath: first.socketPath, dataRoot: first.dataRoot });
    const before = (await api(second, 'GET', `/v1.41/containers/${id}/json`)).body.State.Health.Log.at(-1)?.End;
    const later = await inspectUntil(second, id, (i) => i.State.Health?.Log.at(-1)?.End !== before, 5000);
    expect(later.State.Health.Log.at(-1)?.End, `after a daemon restart the probes go on for a container that still runs — ${HEALTH} HealthMonitor.resume`).not.toBe(before);
    expect((await api(second, 'POST', `/v1.41/containers/${id}/stop?t=1`, undefined, 20_000)).status, 'stop answers 204').toBe(204);
    const stopped = (await api(second, 'GET', `/v1.41/containers/${id}/json`)).body.State.Health.Log.length;
    await new Promise((r) => setTimeout(r, 800));
    expect((await api(second, 'GET', `/v1.41/containers/${id}/json`)).body.State.Health.Log.length, 'no probe runs once the container exited').toBe(stopped);
  }, 60_000);

  it('minidocker run --health-cmd, --health-interval and --no-healthcheck set the Healthcheck docker would', async () => {
    const daemon = await daemons.start();
    await daemons.pull(daemon, 'busybox');
    const started = await minidocker(daemon.socketPath, ['run', '-d', '--name', 'probed', '--health-cmd', 'test -d /proc', '--health-interval', '200ms', '--health-retries', '2', 'busybox', 'sleep', '60']);
    expect(started.code, `minidocker run -d --health-cmd … exits 0; stderr: ${started.stderr.slice(0, 300)} — src/cli/commands/run.ts buildCreateRequest (options.healthcheck)`).toBe(0);
    const info = await inspectUntil(daemon, 'probed', (i) => i.State.Health?.Status === 'healthy', 10_000);
    expect(info.Config.Healthcheck, 'the flags become Healthcheck {Test: ["CMD-SHELL", cmd], Interval in ns, Retries}').toMatchObject({ Test: ['CMD-SHELL', 'test -d /proc'], Interval: 200 * MS, Retries: 2 });
    expect(info.State.Health?.Status, 'and the container turns healthy').toBe('healthy');
    const off = await minidocker(daemon.socketPath, ['run', '-d', '--name', 'unprobed', '--no-healthcheck', 'busybox', 'sleep', '60']);
    expect(off.code, `minidocker run --no-healthcheck exits 0; stderr: ${off.stderr.slice(0, 300)}`).toBe(0);
    expect((await api(daemon, 'GET', '/v1.41/containers/unprobed/json')).body.Config.Healthcheck, '--no-healthcheck sends Test ["NONE"]').toEqual({ Test: ['NONE'] });
    const both = await minidocker(daemon.socketPath, ['run', '-d', '--no-healthcheck', '--health-cmd', 'true', 'busybox', 'true']);
    expect([both.code, both.stderr], 'and refuses --health-* with it, as docker does').toEqual([125, expect.stringContaining('--no-healthcheck conflicts with --health-* options')]);
    for (const name of ['probed', 'unprobed']) await api(daemon, 'DELETE', `/v1.41/containers/${name}?force=1`, undefined, 20_000);
  }, 60_000);

  it.skipIf(docker.skip)('the real docker CLI: docker run --health-cmd shows (healthy) in docker ps and in inspect', async () => {
    const bin = requireTool(docker);
    const daemon = await daemons.start();
    const { run: cli } = dockerCli(bin, daemon.socketPath, await daemons.harness.tempDir());
    const started = await cli(['run', '-d', '--name', 'probed', '--health-cmd', 'true', '--health-interval', '1s', 'busybox', 'sleep', '60']);
    expect(started.code, `docker run -d --health-cmd true --health-interval 1s busybox sleep 60; stderr: ${started.stderr.slice(0, 300)}`).toBe(0);
    let ps = '';
    for (let i = 0; i < 50 && !ps.includes('(healthy)'); i++) {
      await new Promise((r) => setTimeout(r, 200));
      ps = (await cli(['ps', '--filter', 'name=probed', '--format', '{{.Status}}'])).stdout;
    }
    expect(ps, 'docker ps shows (healthy) within seconds').toMatch(/\(healthy\)/);
    expect((await cli(['inspect', '-f', '{{.State.Health.Status}}', 'probed'])).stdout, "docker inspect -f '{{.State.Health.Status}}' prints healthy").toBe('healthy\n');
    await cli(['rm', '-f', 'probed']);
  }, 60_000);
}
