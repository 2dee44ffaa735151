/**
 * Lesson 14 checks: testcontainers 11 on minidockerd, as a user's test suite
 * runs it. Each scenario runs in a process of its own
 * (test/support/testcontainers-run.ts: testcontainers keeps one client, for
 * one daemon, per process), pointed at one real daemon on the offline
 * busybox mirror by DOCKER_HOST, with ryuk off and no
 * TESTCONTAINERS_HOST_OVERRIDE: testcontainers finds the host by itself.
 * Tokens and aliases come from a printed seed. Only loopback is used.
 */
import fs from 'node:fs';
import { expect, it } from 'vitest';
import { api } from '../../support/container-harness.js';
import type { ContainerDaemons } from '../../support/container-harness.js';
import type { DaemonProcess } from '../../support/daemon-harness.js';
import { requireTool } from '../../support/prereq.js';
import { nameFrom, seeded } from '../../support/seeded.js';
import { leftOver, runScenario as runIn, testcontainersPrerequisite } from '../../support/testcontainers-run.js';
import type { ScenarioRun } from '../../support/testcontainers-run.js';
import type { ScenarioInput } from '../../support/testcontainers-scenario.js';

/** Where to look when a step of a scenario fails. */
const WHERE: Record<string, string> = {
  runtime:
    'testcontainers found no working daemon: it asks GET /info, then, where /.dockerenv exists, GET /networks/bridge for IPAM.Config[0].Gateway (an error there fails the whole lookup) — src/daemon/network/network-store.ts (the built-in bridge), src/daemon/routes/networks.ts',
  start:
    'create carries ExposedPorts {"80/tcp":{}} and PortBindings {"80/tcp":[{"HostPort":"0"}]}; within 10 s inspect must show NetworkSettings.Ports["80/tcp"] as [{HostIp, HostPort}] with the port the kernel chose, that port must answer on the host, and exec of `cat /proc/net/tcp*` in the container must see the listener — src/runtime/host-ports.ts bindPorts, src/runtime/port-forward.ts, src/daemon/containers/container-service.ts start (prepareStart, publishPorts), src/daemon/network/network-files.ts',
  'mapped-port': 'getMappedPort(80) reads NetworkSettings.Ports["80/tcp"] of inspect — src/daemon/containers/container-views.ts',
  fetch: 'the mapped port accepted the wait strategy\'s connection but did not carry the request to httpd — src/runtime/port-forward.ts forwardConnection',
  stop: 'stop() sends POST /containers/{id}/stop?t=0 and DELETE /containers/{id}?v=true',
  network:
    'Network.start() sends POST /networks/create {Name, CheckDuplicate, Driver:"bridge", Internal:false, Attachable:false, Ingress:false, EnableIPv6:false, Labels} — src/daemon/network/network-service.ts create',
  'start-server':
    'withNetworkAliases makes testcontainers create the container on the default network, then POST /networks/<name>/connect {Container, EndpointConfig:{Aliases}} before start — src/daemon/network/network-service.ts connect, namespaceOf',
  'start-client': 'withNetwork alone sends HostConfig.NetworkMode <name> at create — src/daemon/network/network-service.ts namespaceOf',
  exec: 'exec() is POST /containers/{id}/exec, then POST /exec/{id}/start without Upgrade (lesson 13)',
  'network-stop': 'StartedNetwork.stop() sends DELETE /networks/{id} once its containers are stopped — src/daemon/network/network-service.ts remove',
};

/** A loopback host as testcontainers may name it: 127.0.0.0/8, ::1 or localhost. */
function isLoopback(host: string | undefined): boolean {
  return host !== undefined && (/^127\.\d+\.\d+\.\d+$/.test(host) || host === '::1' || host === 'localhost');
}

/** Runs one scenario against `daemon` in a process of its own (test/support/testcontainers-run.ts), with this lesson's hints. */
function runScenario(daemons: ContainerDaemons, daemon: DaemonProcess, input: ScenarioInput): Promise<ScenarioRun> {
  return runIn(daemons, daemon, input, WHERE);
}

/**
 * Declares the testcontainers checks on a real daemon; call it inside the
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

  it.skipIf(testcontainers.skip)('testcontainers\' withExposedPorts(80) with its default wait strategy starts busybox httpd, and a request to getMappedPort(80) gets the page', async () => {
    requireTool(testcontainers);
    const daemon = await daemonWithBusybox();
    const rng = seeded();
    const token = nameFrom(rng, 'token', 8);
    const { report, failure, log } = await runScenario(daemons, daemon, { scenario: 'exposed', token });
    expect(report.failed?.step === 'runtime' ? failure : '', `testcontainers finds the daemon at DOCKER_HOST; testcontainers logged:\n${log}`).toBe('');
    expect(isLoopback(report.runtimeHost), `the host testcontainers takes for the daemon (the gateway of GET /networks/bridge where /.dockerenv exists, else localhost) is a loopback address, where ports are published; it was ${report.runtimeHost} — src/daemon/network/network-store.ts (the built-in bridge)`).toBe(true);
    expect(failure, `new GenericContainer('busybox').withExposedPorts(80).start() with the default wait strategy (ports in inspect, the host port reachable, the port listening inside) and a GET of the mapped port ${rng.why}; testcontainers logged:\n${log}`).toBe('');
    expect(isLoopback(report.host), `getHost() is a loopback address, where the daemon publishes ports; it was ${report.host}`).toBe(true);
    expect(report.mappedPort, 'getMappedPort(80) is the host port the daemon had the kernel choose for HostPort "0"').toBeGreaterThan(0);
    expect([report.status, report.page], `GET http://${report.host}:${report.mappedPort}/ reaches busybox httpd in the container and gets its page ${rng.why} — src/runtime/port-forward.ts`).toEqual([200, `${token}\n`]);
    expect(report.cleanupErrors, 'stop() stops and removes the container without an error').toEqual([]);
    expect(await leftOver(daemon), 'after stop() no container of testcontainers is left: POST /containers/{id}/stop?t=0, then DELETE /containers/{id}?v=true').toEqual([]);
  }, 120_000);

  it.skipIf(testcontainers.skip)('testcontainers\' Network: a container fetches from another by its network alias', async () => {
    requireTool(testcontainers);
    const daemon = await daemonWithBusybox();
    const rng = seeded();
    const token = nameFrom(rng, 'token', 8);
    const alias = nameFrom(rng, 'web', 8);
    const { report, failure, log } = await runScenario(daemons, daemon, { scenario: 'network', token, alias });
    expect(failure, `new Network().start(), httpd on it with withNetworkAliases('${alias}'), a second container on it running wget http://${alias}/ through exec, then stop() of both and of the network ${rng.why}; testcontainers logged:\n${log}`).toBe('');
    expect([report.exitCode, report.output], `the client container on the network got the server's page from http://${alias}/: the alias names the server in the client's /etc/hosts, and both share the network's namespace ${rng.why} — src/daemon/network/network-service.ts connect, namespaceOf; src/daemon/network/network-files.ts hostsFile (peers)`).toEqual([0, `${token}\n`]);
    expect(report.cleanupErrors, 'the containers and the network stop and go without an error').toEqual([]);
    const gone = await api(daemon, 'GET', `/v1.41/networks/${report.network}`);
    expect(gone.status, `after network.stop() the network ${report.network} is gone (404) — src/daemon/network/network-service.ts remove`).toBe(404);
    expect(await leftOver(daemon), 'and no container of testcontainers is left').toEqual([]);
  }, 120_000);

  it.skipIf(testcontainers.skip)('testcontainers finds the daemon without TESTCONTAINERS_HOST_OVERRIDE on a host that has /.dockerenv', async () => {
    requireTool(testcontainers);
    const daemon = await daemonWithBusybox();
    const rng = seeded();
    const token = nameFrom(rng, 'token', 8);
    const dockerenv = fs.existsSync('/.dockerenv');
    const bridge = await api<any>(daemon, 'GET', '/networks/bridge');
    const answered = `GET /networks/bridge answered ${bridge.status} with IPAM ${JSON.stringify(bridge.body?.IPAM) ?? bridge.text.slice(0, 200)}`;
    const { report, failure, log } = await runScenario(daemons, daemon, { scenario: 'exposed', token });
    const how = dockerenv
      ? `/.dockerenv exists here, so testcontainers thinks it runs in a container and takes the host from GET /networks/bridge: IPAM.Config[0].Gateway, which must be 127.0.0.1 (${answered}) — src/daemon/network/network-store.ts (the built-in bridge and its IPAM)`
      : '/.dockerenv does not exist here, so testcontainers takes localhost as the host of a unix socket';
    expect(report.failed?.step === 'runtime' ? failure : '', `testcontainers finds a working daemon at DOCKER_HOST with no TESTCONTAINERS_HOST_OVERRIDE: ${how}; testcontainers logged:\n${log}`).toBe('');
    expect(report.runtimeHost, `the host testcontainers resolved: ${how}`).toBe(dockerenv ? '127.0.0.1' : 'localhost');
    expect(failure, `with that host, a busybox httpd with withExposedPorts(80) starts and its mapped port answers ${rng.why}; testcontainers logged:\n${log}`).toBe('');
    expect(isLoopback(report.host), `getHost() is that loopback host (${report.host}), where the daemon publishes ports`).toBe(true);
    expect([report.status, report.page], `GET http://${report.host}:${report.mappedPort}/ gets the page (${dockerenv ? 'the bridge gateway' : 'localhost'} as the host) ${rng.why}`).toEqual([200, `${token}\n`]);
  }, 120_000);
}
