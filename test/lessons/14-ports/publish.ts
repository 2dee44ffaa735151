/**
 * Lesson 14 checks: `-p` through the daemon. A real minidockerd (on the
 * offline busybox mirror) publishes a container's port on loopback: the host
 * port is bound before the container starts (a port in use fails the start),
 * the port proxy forwards while it runs, inspect and the list show the
 * mappings as docker does, the port is free again once it exits, and a
 * daemon killed meanwhile finds the proxy again. Only loopback is used.
 */
import fs from 'node:fs/promises';
import http from 'node:http';
import net from 'node:net';
import path from 'node:path';
import { expect, it } from 'vitest';
import { api } from '../../support/container-harness.js';
import type { ContainerDaemons } from '../../support/container-harness.js';
import type { DaemonProcess } from '../../support/daemon-harness.js';
import { dockerCli } from '../../support/docker-cli.js';
import { prerequisite, requireTool } from '../../support/prereq.js';

/** busybox's web server on port 80 serving /etc: GET /passwd answers with root's line. */
const HTTPD = ['httpd', '-f', '-p', '80', '-h', '/etc'];

/** A loopback TCP port free right now (the kernel's choice, released again). */
export async function freePort(): Promise<number> {
  const server = net.createServer();
  await new Promise<void>((resolve, reject) => server.once('error', reject).listen({ host: '127.0.0.1', port: 0 }, resolve));
  const port = (server.address() as net.AddressInfo).port;
  await new Promise((resolve) => server.close(resolve));
  return port;
}

/** GET http://127.0.0.1:<port><target>: status and body. */
function get(port: number, target = '/passwd', timeoutMs = 3_000): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const req = http.get({ host: '127.0.0.1', port, path: target, timeout: timeoutMs, agent: false }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => (body += chunk));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
      res.on('error', reject);
    });
    req.on('timeout', () => req.destroy(new Error(`no answer from 127.0.0.1:${port} within ${timeoutMs} ms`)));
    req.on('error', reject);
  });
}

/** Fetches /passwd until the server in the container answers (it starts a moment after the container). */
async function fetchPasswd(port: number, withinMs = 10_000): Promise<string> {
  const until = Date.now() + withinMs;
  let last: unknown;
  while (Date.now() < until) {
    try {
      const res = await get(port);
      if (res.status === 200) return res.body;
      last = new Error(`status ${res.status}`);
    } catch (err) {
      last = err;
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`127.0.0.1:${port} did not serve /passwd within ${withinMs} ms: ${(last as Error)?.message}`);
}

/** Whether a loopback TCP port can be bound right now. */
async function portFree(port: number): Promise<boolean> {
  const server = net.createServer();
  const ok = await new Promise<boolean>((resolve) => {
    server.once('error', () => resolve(false));
    server.listen({ host: '127.0.0.1', port, exclusive: true }, () => resolve(true));
  });
  if (ok) await new Promise((resolve) => server.close(resolve));
  return ok;
}

async function create(daemon: DaemonProcess, hostConfig: Record<string, unknown>, extra: Record<string, unknown> = {}) {
  return api<{ Id: string; message?: string }>(daemon, 'POST', '/v1.41/containers/create', { Image: 'busybox', Cmd: HTTPD, HostConfig: hostConfig, ...extra });
}

async function createOk(daemon: DaemonProcess, hostConfig: Record<string, unknown>, extra: Record<string, unknown> = {}): Promise<string> {
  const res = await create(daemon, hostConfig, extra);
  expect(res.status, `create with ${JSON.stringify(hostConfig)} answers 201; it said ${res.status} ${res.text.slice(0, 300)} — src/daemon/containers/create-options.ts portMappingsOf`).toBe(201);
  return res.body.Id;
}

async function start(daemon: DaemonProcess, id: string): Promise<void> {
  const res = await api(daemon, 'POST', `/v1.41/containers/${id}/start`, undefined, 40_000);
  expect(res.status, `start answers 204; it said ${res.status} ${res.text.slice(0, 400)} — src/daemon/containers/container-service.ts start (prepareStart, publishPorts)`).toBe(204);
}

/**
 * Declares the `-p` checks on a real daemon; call it inside the lesson's
 * describe, with the fixtures the test file made (mirror started in its beforeAll, cleanup in its afterEach).
 */
export function registerPublishChecks(daemons: ContainerDaemons): void {
  const docker = prerequisite('docker', 'install the docker CLI: https://docs.docker.com/engine/install/');

  async function daemonWithBusybox(): Promise<DaemonProcess> {
    const daemon = await daemons.start();
    await daemons.pull(daemon, 'busybox');
    return daemon;
  }

  it('-p publishes a container port on a fixed and a kernel-chosen loopback port; inspect and the list show both; after stop the port is free', async () => {
    const daemon = await daemonWithBusybox();
    const fixed = await freePort();
    const id = await createOk(daemon, { PortBindings: { '80/tcp': [{ HostIp: '127.0.0.1', HostPort: String(fixed) }, { HostIp: '', HostPort: '' }] } }, { ExposedPorts: { '80/tcp': {}, '443/tcp': {} } });
    await start(daemon, id);

    const inspected = await api<any>(daemon, 'GET', `/v1.41/containers/${id}/json`);
    const ports = inspected.body?.NetworkSettings?.Ports;
    expect(ports, 'inspect NetworkSettings.Ports: each published port with its host address as bound (the kernel-chosen one too), an exposed unpublished port null — src/daemon/containers/container-views.ts inspectPorts').toEqual({
      '80/tcp': [{ HostIp: '127.0.0.1', HostPort: String(fixed) }, { HostIp: '127.0.0.1', HostPort: expect.stringMatching(/^[1-9]\d*$/) }],
      '443/tcp': null,
    });
    const chosen = Number(ports['80/tcp'][1].HostPort);
    expect(chosen, 'the kernel chose a port other than the fixed one').not.toBe(fixed);
    expect(inspected.body?.HostConfig?.PortBindings, 'HostConfig echoes PortBindings as given').toEqual({ '80/tcp': [{ HostIp: '127.0.0.1', HostPort: String(fixed) }, { HostIp: '', HostPort: '' }] });

    expect(await fetchPasswd(fixed), `GET 127.0.0.1:${fixed}/passwd reaches busybox httpd in the container`).toMatch(/^root:/m);
    expect(await fetchPasswd(chosen), `the kernel-chosen port ${chosen} reaches it too`).toMatch(/^root:/m);

    const listed = await api<any[]>(daemon, 'GET', '/v1.41/containers/json');
    const row = listed.body?.find((c) => c.Id === id);
    expect(row?.Ports, 'the list shows Ports [{IP, PrivatePort, PublicPort, Type}] — src/daemon/containers/container-views.ts summaryPorts').toEqual(
      expect.arrayContaining([
        { IP: '127.0.0.1', PrivatePort: 80, PublicPort: fixed, Type: 'tcp' },
        { IP: '127.0.0.1', PrivatePort: 80, PublicPort: chosen, Type: 'tcp' },
        { PrivatePort: 443, Type: 'tcp' },
      ]),
    );
    expect(row?.Ports, 'two published mappings and the exposed port 443 without a host side, as dockerd lists it').toHaveLength(3);

    const stopped = await api(daemon, 'POST', `/v1.41/containers/${id}/stop?t=1`, undefined, 30_000);
    expect(stopped.status, `stop answers 204; ${stopped.text.slice(0, 200)}`).toBe(204);
    expect(await portFree(fixed), `once the container stopped, 127.0.0.1:${fixed} is free again (its proxy ended) — container-service.ts #exited releaseNetwork`).toBe(true);
    expect(await portFree(chosen), `and so is ${chosen}`).toBe(true);
    const after = await api<any>(daemon, 'GET', `/v1.41/containers/${id}/json`);
    expect(after.body?.NetworkSettings?.Ports, 'a stopped container publishes nothing: only its exposed ports, null').toEqual({ '80/tcp': null, '443/tcp': null });

    await start(daemon, id);
    expect(await fetchPasswd(fixed), 'started again, the fixed port answers again').toMatch(/^root:/m);
  }, 120_000);

  it('a host port in use fails start with docker\'s message and leaves the container not running; a non-loopback host IP is refused at create', async () => {
    const daemon = await daemonWithBusybox();
    const taken = net.createServer();
    await new Promise<void>((resolve, reject) => taken.once('error', reject).listen({ host: '127.0.0.1', port: 0 }, resolve));
    const port = (taken.address() as net.AddressInfo).port;
    try {
      const id = await createOk(daemon, { PortBindings: { '80/tcp': [{ HostIp: '127.0.0.1', HostPort: String(port) }] } });
      const res = await api<{ message: string }>(daemon, 'POST', `/v1.41/containers/${id}/start`, undefined, 30_000);
      expect([res.status >= 400, res.body?.message], 'start fails with docker\'s message for a port in use — src/daemon/containers/container-service.ts start (prepareStart before startTask)').toEqual([
        true, expect.stringContaining(`Bind for 127.0.0.1:${port} failed: port is already allocated`),
      ]);
      const state = (await api<any>(daemon, 'GET', `/v1.41/containers/${id}/json`)).body?.State;
      expect(state, 'the container did not run: nothing is left running').toMatchObject({ Running: false, Status: 'created' });
    } finally {
      await new Promise((resolve) => taken.close(resolve));
    }

    for (const hostIp of ['0.0.0.0', '192.0.2.1', '::']) {
      const res = await create(daemon, { PortBindings: { '80/tcp': [{ HostIp: hostIp, HostPort: '8080' }] } });
      expect([res.status, res.body?.message], `HostIp ${hostIp} is refused with a 400 naming the loopback rule — src/daemon/containers/create-options.ts portMappingsOf`).toEqual([
        400, expect.stringMatching(/not a loopback address.*127\.0\.0\.0\/8 and ::1 only/),
      ]);
    }
    const bad = await create(daemon, { PortBindings: { '80/tcpx': [{ HostPort: '8080' }] } });
    expect([bad.status, bad.body?.message], 'a malformed port is a 400 in docker\'s words').toEqual([400, 'invalid port specification: "80/tcpx"']);
  }, 90_000);

  it('-P publishes every exposed port on a kernel-chosen loopback port', async () => {
    const daemon = await daemonWithBusybox();
    const id = await createOk(daemon, { PublishAllPorts: true }, { ExposedPorts: { '80/tcp': {} } });
    await start(daemon, id);
    const inspected = (await api<any>(daemon, 'GET', `/v1.41/containers/${id}/json`)).body;
    expect(inspected?.HostConfig?.PublishAllPorts, 'HostConfig echoes PublishAllPorts').toBe(true);
    const ports = inspected?.NetworkSettings?.Ports;
    expect(ports, 'the exposed port 80/tcp is published on 127.0.0.1 at a port the kernel chose — container-service-base.ts prepareStart').toEqual({
      '80/tcp': [{ HostIp: '127.0.0.1', HostPort: expect.stringMatching(/^[1-9]\d*$/) }],
    });
    expect(await fetchPasswd(Number(ports['80/tcp'][0].HostPort)), 'that port reaches httpd in the container').toMatch(/^root:/m);

    const hostNet = await create(daemon, { NetworkMode: 'host', PortBindings: { '80/tcp': [{ HostPort: '8080' }] } });
    expect([hostNet.status, (hostNet.body as { Warnings?: string[] })?.Warnings], 'with --network host the ports are discarded, with docker\'s warning — src/daemon/containers/create-options.ts').toEqual([
      201, ['Published ports are discarded when using host network mode'],
    ]);
  }, 90_000);

  it('a published port still answers after the daemon was killed and started again (the proxy is adopted), and is freed when the container stops', async () => {
    const first = await daemonWithBusybox();
    const port = await freePort();
    const id = await createOk(first, { PortBindings: { '80/tcp': [{ HostIp: '127.0.0.1', HostPort: String(port) }] } });
    await start(first, id);
    expect(await fetchPasswd(port), 'the port answers before the restart').toMatch(/^root:/m);
    first.signal('SIGKILL');
    await first.exited;
    expect(await fetchPasswd(port), 'with the daemon dead, the proxy goes on forwarding').toMatch(/^root:/m);
    const second = await daemons.start({ socketPath: first.socketPath, dataRoot: first.dataRoot });
    expect(await fetchPasswd(port), 'after the restart the port still answers — container-service.ts restore (adoptPorts)').toMatch(/^root:/m);
    const ports = (await api<any>(second, 'GET', `/v1.41/containers/${id}/json`)).body?.NetworkSettings?.Ports;
    expect(ports, 'inspect on the new daemon still shows the mapping').toEqual({ '80/tcp': [{ HostIp: '127.0.0.1', HostPort: String(port) }] });

    // The proxy gone too while the daemon is down: the next daemon binds the port again and starts a new one.
    second.signal('SIGKILL');
    await second.exited;
    const pidFile = path.join(second.dataRoot, 'containers', id, 'proxy.pid');
    const proxyPid = Number(await fs.readFile(pidFile, 'utf8'));
    expect(proxyPid, `the proxy's pid is in ${pidFile}`).toBeGreaterThan(1);
    process.kill(proxyPid, 'SIGKILL');
    for (let i = 0; i < 100 && !(await portFree(port)); i++) await new Promise((r) => setTimeout(r, 50));
    const third = await daemons.start({ socketPath: first.socketPath, dataRoot: first.dataRoot });
    expect(await fetchPasswd(port), 'a proxy that died with the daemon down is started again by the next daemon — container-service-base.ts adoptPorts').toMatch(/^root:/m);

    const stopped = await api(third, 'POST', `/v1.41/containers/${id}/stop?t=1`, undefined, 30_000);
    expect(stopped.status).toBe(204);
    expect(await portFree(port), 'the proxy ends with the container: the port is free').toBe(true);
  }, 120_000);

  it.skipIf(docker.skip)('docker run -d -p 127.0.0.1:P:80 serves from the container; docker port and docker ps show the mapping', async () => {
    const bin = requireTool(docker);
    const daemon = await daemonWithBusybox();
    const { run } = dockerCli(bin, daemon.socketPath, await daemons.harness.tempDir());
    const port = await freePort();
    const d = await run(['run', '-d', '--name', 'web', '-p', `127.0.0.1:${port}:80`, 'busybox', ...HTTPD]);
    expect(d.code, `docker run -d -p 127.0.0.1:${port}:80 succeeds; stderr: ${d.stderr.slice(0, 400)}`).toBe(0);
    expect(await fetchPasswd(port), 'the host port reaches httpd in the container').toMatch(/^root:/m);
    const portOut = await run(['port', 'web']);
    expect(portOut.stdout, `docker port web; stderr: ${portOut.stderr.slice(0, 200)}`).toBe(`80/tcp -> 127.0.0.1:${port}\n`);
    expect((await run(['ps'])).stdout, 'docker ps shows the mapping').toContain(`127.0.0.1:${port}->80/tcp`);
    const used = await run(['run', '-d', '-p', `127.0.0.1:${port}:80`, 'busybox', ...HTTPD]);
    expect([used.code !== 0, used.stderr], 'a second container on the same port fails with docker\'s message').toEqual([true, expect.stringContaining('port is already allocated')]);
    const rm = await run(['rm', '-f', 'web']);
    expect(rm.code, `docker rm -f web; ${rm.stderr}`).toBe(0);
    expect(await portFree(port), 'removed, its port is free').toBe(true);
  }, 120_000);
}
