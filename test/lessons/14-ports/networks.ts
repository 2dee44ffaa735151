/**
 * Lesson 14 checks: the container's network files and networks. A real
 * minidockerd (on the offline busybox mirror) gives every container
 * /etc/hosts, /etc/resolv.conf and /etc/hostname; answers the networks API;
 * and puts the containers of a user-defined network in one network
 * namespace, where they reach each other on 127.0.0.1 by name. The inputs a
 * lookup table could memorise (names, addresses, aliases) come from a
 * printed seed. Only loopback is used.
 */
import fs from 'node:fs/promises';
import { expect, it } from 'vitest';
import { hostsFile, resolvConf } from '#kata/daemon/network/network-files.js';
import { api, runToEnd } from '../../support/container-harness.js';
import type { ContainerDaemons } from '../../support/container-harness.js';
import type { DaemonProcess } from '../../support/daemon-harness.js';
import { dockerCli } from '../../support/docker-cli.js';
import { prerequisite, requireTool } from '../../support/prereq.js';
import { nameFrom, seeded } from '../../support/seeded.js';

const WHERE_FILES = 'src/daemon/network/network-files.ts';
const WHERE_SERVICE = 'src/daemon/network/network-service.ts';

/** A loopback address from the seed: 127.x.y.z, never 127.0.0.1. */
function loopbackFrom(rng: ReturnType<typeof seeded>): string {
  return `127.${rng.int(1, 254)}.${rng.int(0, 255)}.${rng.int(1, 254)}`;
}

/** Runs `script` in a busybox container to its end and returns its output (stdout and stderr), with extra create fields. */
async function output(daemon: DaemonProcess, script: string, extra: Record<string, unknown> = {}): Promise<string> {
  return (await runToEnd(daemon, script, extra, 'src/daemon/containers/container-service.ts start (prepareStart)')).output;
}

/** Starts a long-running busybox container (`script`) with extra create fields; returns its id. */
async function running(daemon: DaemonProcess, script: string, extra: Record<string, unknown> = {}, name?: string): Promise<string> {
  const created = await api(daemon, 'POST', `/v1.41/containers/create${name ? `?name=${name}` : ''}`, { Image: 'busybox', Cmd: ['sh', '-c', script], ...extra });
  expect(created.status, `create answers 201; it said ${created.status} ${created.text.slice(0, 300)}`).toBe(201);
  const id = created.body.Id as string;
  const started = await api(daemon, 'POST', `/v1.41/containers/${id}/start`, undefined, 40_000);
  expect(started.status, `start answers 204; it said ${started.status} ${started.text.slice(0, 300)} — ${WHERE_SERVICE} namespaceOf`).toBe(204);
  return id;
}

/** The network namespace of a running container's process, as the host sees it (`net:[4026532…]`). */
async function netnsOf(daemon: DaemonProcess, id: string): Promise<string> {
  const pid = (await api<any>(daemon, 'GET', `/v1.41/containers/${id}/json`)).body?.State?.Pid as number;
  expect(pid, `container ${id} runs`).toBeGreaterThan(0);
  return fs.readlink(`/proc/${pid}/ns/net`);
}

/** The pids of every process in network namespace `ns`. */
async function holdersOf(ns: string): Promise<number[]> {
  const pids: number[] = [];
  for (const entry of await fs.readdir('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    if ((await fs.readlink(`/proc/${entry}/ns/net`).catch(() => '')) === ns) pids.push(Number(entry));
  }
  return pids;
}

/** Creates a network; returns its id. */
async function createNetwork(daemon: DaemonProcess, body: Record<string, unknown>): Promise<string> {
  const res = await api(daemon, 'POST', '/v1.41/networks/create', body);
  expect(res.status, `POST /networks/create ${JSON.stringify(body)} answers 201; it said ${res.status} ${res.text.slice(0, 300)} — ${WHERE_SERVICE} create`).toBe(201);
  expect(res.body?.Id, 'the answer has the new network\'s Id: 64 hex digits').toMatch(/^[0-9a-f]{64}$/);
  return res.body.Id as string;
}

/** Keeps fetching `url` from inside a container on `network` until busybox wget gets an answer; returns the output of the last try. */
function fetchFrom(network: string, url: string): [string, Record<string, unknown>] {
  const script = `for i in $(seq 1 50); do wget -qO- ${url} && exit 0; sleep 0.2; done; echo "no answer from ${url}"; exit 1`;
  return [script, { HostConfig: { NetworkMode: network } }];
}

/**
 * Declares the network checks on a real daemon; call it inside the lesson's
 * describe, with the fixtures the test file made (mirror started in its
 * beforeAll, cleanup in its afterEach).
 */
export function registerNetworkChecks(daemons: ContainerDaemons): void {
  const docker = prerequisite('docker', 'install the docker CLI: https://docs.docker.com/engine/install/');
  const unshare = prerequisite('unshare', 'install util-linux (unshare holds a network\'s namespace)');

  async function daemonWithBusybox(): Promise<DaemonProcess> {
    const daemon = await daemons.start();
    await daemons.pull(daemon, 'busybox');
    return daemon;
  }

  it('hostsFile and resolvConf write docker\'s /etc/hosts and /etc/resolv.conf: extra hosts and the names on the network, nameservers on loopback dropped, --dns options replacing the host\'s', () => {
    const rng = seeded();
    const hostname = nameFrom(rng, 'h');
    const extra = { address: loopbackFrom(rng), names: [nameFrom(rng, 'x')] };
    const peer = [nameFrom(rng, 'p'), nameFrom(rng, 'a')];
    const hosts = hostsFile({ hostname, extraHosts: [extra], peers: [peer] });
    expect(hosts.split('\n'), `the hosts file: localhost lines, the extra host, the hostname, each peer's names on 127.0.0.1, a tab after each address ${rng.why} — ${WHERE_FILES} hostsFile`).toEqual([
      '127.0.0.1\tlocalhost',
      '::1\tlocalhost ip6-localhost ip6-loopback',
      `${extra.address}\t${extra.names[0]}`,
      `127.0.0.1\t${hostname}`,
      `127.0.0.1\t${peer.join(' ')}`,
      '',
    ]);

    const upstream = `${rng.int(1, 9)}.${rng.int(0, 255)}.${rng.int(0, 255)}.${rng.int(1, 254)}`;
    const domain = `${nameFrom(rng, 'd')}.example`;
    const host = `# written by the host\nnameserver 127.0.0.53\nnameserver ${upstream}\nnameserver ::1\n\nsearch ${domain}\noptions edns0 trust-ad\n`;
    const plain = resolvConf(host, { dns: [], search: [], options: [], hostNetwork: false });
    expect(plain, `the host's resolv.conf, its nameservers on loopback dropped (the container's loopback is its own) ${rng.why} — ${WHERE_FILES} resolvConf`).toBe(
      `# written by the host\nnameserver ${upstream}\nsearch ${domain}\noptions edns0 trust-ad\n`,
    );
    expect(resolvConf(host, { dns: [], search: [], options: [], hostNetwork: true }), 'with the host\'s network the host\'s nameservers all stay').toContain('nameserver 127.0.0.53\n');
    const dns = loopbackFrom(rng);
    const search = `${nameFrom(rng, 's')}.test`;
    const replaced = resolvConf(host, { dns: [dns], search: [search], options: ['ndots:2'], hostNetwork: false });
    expect(replaced, `--dns, --dns-search and --dns-option replace the host's nameserver, search and options lines ${rng.why} — ${WHERE_FILES} resolvConf`).toBe(
      `# written by the host\nnameserver ${dns}\nsearch ${search}\noptions ndots:2\n`,
    );
  });

  it.skipIf(unshare.skip)('every container has /etc/hosts, /etc/resolv.conf and /etc/hostname bind-mounted, with its hostname, --add-host entries and --dns servers', async () => {
    requireTool(unshare);
    const daemon = await daemonWithBusybox();
    const rng = seeded();
    const hostname = nameFrom(rng, 'h');
    const extra = { name: nameFrom(rng, 'x'), address: loopbackFrom(rng) };
    const dns = loopbackFrom(rng);
    const search = `${nameFrom(rng, 's')}.test`;
    const text = await output(daemon, 'cat /etc/hosts; echo ==; cat /etc/resolv.conf; echo ==; cat /etc/hostname; echo ==; grep -E " /etc/(hosts|resolv.conf|hostname) " /proc/mounts | cut -d" " -f2 | sort', {
      Hostname: hostname,
      HostConfig: { ExtraHosts: [`${extra.name}:${extra.address}`], Dns: [dns], DnsSearch: [search] },
    });
    const [hosts = '', resolv = '', name = '', mounts = ''] = text.split('==\n');
    expect(hosts, `/etc/hosts: localhost, the --add-host entry and the hostname ${rng.why} — ${WHERE_FILES} hostsFile, written at start`).toContain('127.0.0.1\tlocalhost\n');
    expect(hosts).toContain(`${extra.address}\t${extra.name}\n`);
    expect(hosts).toContain(`127.0.0.1\t${hostname}\n`);
    expect(resolv.match(/^nameserver .*$/gm), `/etc/resolv.conf names the --dns server only ${rng.why} — ${WHERE_FILES} resolvConf`).toEqual([`nameserver ${dns}`]);
    expect(resolv).toContain(`search ${search}\n`);
    expect(name, '/etc/hostname holds the hostname').toBe(`${hostname}\n`);
    expect(mounts.trim().split('\n'), 'the three files are bind mounts over the image\'s, as docker makes them (not files written into its rootfs)').toEqual(['/etc/hostname', '/etc/hosts', '/etc/resolv.conf']);

    const refused = await api(daemon, 'POST', '/v1.41/containers/create', { Image: 'busybox', HostConfig: { ExtraHosts: [`${extra.name}:host-gateway`] } });
    expect([refused.status, refused.body?.message], '--add-host name:host-gateway is refused: a container here reaches the host only through published ports').toEqual([400, expect.stringContaining('host-gateway')]);
    const bad = await api(daemon, 'POST', '/v1.41/containers/create', { Image: 'busybox', HostConfig: { Dns: ['not-an-ip'] } });
    expect([bad.status, bad.body?.message], 'a --dns that is not an IP address is docker\'s 400').toEqual([400, 'not-an-ip is not an ip address']);
  }, 90_000);

  it.skipIf(unshare.skip)('GET /networks lists bridge, host, none and the networks created, with ids that survive a restart; /networks/bridge has the 127.0.0.1 gateway testcontainers reads', async () => {
    requireTool(unshare);
    const daemon = await daemonWithBusybox();
    const rng = seeded();
    const mine = nameFrom(rng, 'n');
    const mineId = await createNetwork(daemon, { Name: mine });
    const listed = await api<any[]>(daemon, 'GET', '/v1.41/networks');
    expect(listed.status, `GET /networks answers 200; it said ${listed.status} ${listed.text.slice(0, 200)} — src/daemon/routes/networks.ts`).toBe(200);
    const byName = Object.fromEntries((listed.body ?? []).map((n) => [n.Name, n]));
    expect(Object.keys(byName).sort(), `the three networks every daemon has, and the one created ${rng.why}`).toEqual(['bridge', 'host', mine, 'none'].sort());
    expect(byName[mine], 'a created network is listed as docker lists it: its Id, driver bridge, scope local, Containers {}').toMatchObject({ Id: mineId, Driver: 'bridge', Scope: 'local', Containers: {} });
    expect([byName.bridge?.Driver, byName.host?.Driver, byName.none?.Driver], 'their drivers, as docker names them').toEqual(['bridge', 'host', 'null']);
    const bridge = await api<any>(daemon, 'GET', '/networks/bridge');
    expect(bridge.status, 'GET /networks/bridge (unversioned, as testcontainers sends it) answers 200').toBe(200);
    expect(bridge.body?.IPAM?.Config?.[0]?.Gateway, 'its IPAM gateway is 127.0.0.1: a client that takes the gateway as the daemon\'s host lands on loopback, where ports are published').toBe('127.0.0.1');
    expect(bridge.body?.Id, 'found by name, the same network as listed').toBe(byName.bridge?.Id);
    const byPrefix = await api<any>(daemon, 'GET', `/v1.41/networks/${String(byName.none?.Id).slice(0, 12)}`);
    expect(byPrefix.body?.Name, 'a network is found by a prefix of its id too').toBe('none');
    const missing = await api<any>(daemon, 'GET', '/v1.41/networks/nosuchnetwork');
    expect([missing.status, missing.body?.message], 'an unknown network is docker\'s 404').toEqual([404, 'network nosuchnetwork not found']);

    daemon.signal('SIGKILL');
    await daemon.exited;
    const again = await daemons.start({ socketPath: daemon.socketPath, dataRoot: daemon.dataRoot });
    const relisted = await api<any[]>(again, 'GET', '/v1.41/networks');
    expect(Object.fromEntries((relisted.body ?? []).map((n) => [n.Name, n.Id])), 'after a restart the networks keep their ids (records on disk, not made anew)').toEqual({
      bridge: byName.bridge?.Id, host: byName.host?.Id, none: byName.none?.Id, [mine]: mineId,
    });
  }, 90_000);

  it.skipIf(unshare.skip)('containers on a user-defined network share one namespace with only loopback, and reach each other by name and alias, a later one too', async () => {
    requireTool(unshare);
    const daemon = await daemonWithBusybox();
    const rng = seeded();
    const network = nameFrom(rng, 'n');
    const server = nameFrom(rng, 'web');
    const alias = nameFrom(rng, 'a');
    const token = nameFrom(rng, 't');
    await createNetwork(daemon, { Name: network });
    const serverId = await running(daemon, `mkdir -p /www && echo ${token} > /www/index.html && exec httpd -f -p 80 -h /www`, {
      HostConfig: { NetworkMode: network },
      NetworkingConfig: { EndpointsConfig: { [network]: { Aliases: [alias] } } },
    }, server);
    const [script, extra] = fetchFrom(network, `http://${alias}/`);
    expect(await output(daemon, script, extra), `a container on ${network} fetches from the server by its alias ${alias} ${rng.why} — ${WHERE_SERVICE} namespaceOf, ${WHERE_FILES} hostsFile (peers)`).toContain(token);
    const [byName, extra2] = fetchFrom(network, `http://${server}/`);
    expect(await output(daemon, byName, extra2), `and by its name ${server}`).toContain(token);

    const laterName = nameFrom(rng, 'later');
    const laterId = await running(daemon, 'exec sleep 300', { HostConfig: { NetworkMode: network } }, laterName);
    const [ns, laterNs] = [await netnsOf(daemon, serverId), await netnsOf(daemon, laterId)];
    expect(laterNs, 'both containers are in one network namespace (the network\'s), not each in its own').toBe(ns);
    expect(ns, 'and it is not the host\'s').not.toBe(await fs.readlink('/proc/self/ns/net'));
    const hostsOfServer = await fs.readFile(`/proc/${(await api<any>(daemon, 'GET', `/v1.41/containers/${serverId}/json`)).body.State.Pid}/root/etc/hosts`, 'utf8');
    expect(hostsOfServer, `the running server's /etc/hosts now names the container that joined after it (${laterName}) — container-service-base.ts prepareStart rewrites the peers' files`).toMatch(new RegExp(`^127\\.0\\.0\\.1\\t${laterName}\\b`, 'm'));

    const addresses = await output(daemon, 'ip -o addr | awk \'{print $2, $4}\'', { HostConfig: { NetworkMode: network } });
    expect(addresses.trim().split('\n').sort(), 'the network\'s namespace has loopback only: 127.0.0.1/8 and ::1/128 on lo, nothing else').toEqual(['lo 127.0.0.1/8', 'lo ::1/128']);

    const inspected = await api<any>(daemon, 'GET', `/v1.41/networks/${network}`);
    expect(Object.keys(inspected.body?.Containers ?? {}).sort(), 'inspect lists the running containers on the network').toEqual([serverId, laterId].sort());
    const own = await api<any>(daemon, 'GET', `/v1.41/containers/${serverId}/json`);
    expect(own.body?.NetworkSettings?.Networks?.[network]?.Aliases, 'the container\'s inspect shows its network with its aliases').toEqual([alias]);
  }, 150_000);

  it.skipIf(unshare.skip)('a network cannot be removed while a container on it runs; once it stopped, remove ends the namespace and no process holds it', async () => {
    requireTool(unshare);
    const daemon = await daemonWithBusybox();
    const rng = seeded();
    const network = nameFrom(rng, 'n');
    const name = nameFrom(rng, 'c');
    await createNetwork(daemon, { Name: network });
    const id = await running(daemon, 'exec sleep 300', { HostConfig: { NetworkMode: network } }, name);
    const ns = await netnsOf(daemon, id);
    const refused = await api(daemon, 'DELETE', `/v1.41/networks/${network}`);
    expect([refused.status, refused.body?.message], `DELETE while ${name} runs on it: docker's message naming it ${rng.why} — ${WHERE_SERVICE} remove`).toEqual([
      409, expect.stringMatching(new RegExp(`^error while removing network: network ${network} has active endpoints \\(name:"${name}" id:"[0-9a-f]{12}"\\)$`)),
    ]);
    const builtin = await api(daemon, 'DELETE', '/v1.41/networks/bridge');
    expect([builtin.status, builtin.body?.message], 'a pre-defined network cannot be removed').toEqual([409, 'bridge is a pre-defined network and cannot be removed']);

    expect((await api(daemon, 'POST', `/v1.41/containers/${id}/kill`)).status).toBe(204);
    await api(daemon, 'POST', `/v1.41/containers/${id}/wait`, undefined, 30_000);
    const removed = await api(daemon, 'DELETE', `/v1.41/networks/${network}`);
    expect(removed.status, `with its container stopped the network is removed (204); it said ${removed.status} ${removed.text.slice(0, 200)}`).toBe(204);
    let left: number[] = [];
    for (let i = 0; i < 50 && (left = await holdersOf(ns)).length > 0; i++) await new Promise((r) => setTimeout(r, 100));
    expect(left, `no process holds the network's namespace ${ns} any more: its holder was stopped — ${WHERE_SERVICE} remove (stopHolder)`).toEqual([]);
    const gone = await api(daemon, 'GET', `/v1.41/networks/${network}`);
    expect(gone.status, 'and it is not found').toBe(404);
    const restart = await api(daemon, 'POST', `/v1.41/containers/${id}/start`);
    expect([restart.status, restart.body?.message], 'its stopped container cannot start on a network that is gone: docker\'s 404').toEqual([404, `network ${network} not found`]);
  }, 120_000);

  it.skipIf(unshare.skip)('network create refuses what needs a bridge or addresses and a name in use; connect and disconnect move a stopped container and refuse a running one', async () => {
    requireTool(unshare);
    const daemon = await daemonWithBusybox();
    const rng = seeded();
    const network = nameFrom(rng, 'n');
    await createNetwork(daemon, { Name: network, Labels: { team: 'a' } });
    const dup = await api(daemon, 'POST', '/v1.41/networks/create', { Name: network });
    expect([dup.status, dup.body?.message], `a name in use is docker's 409 ${rng.why} — ${WHERE_SERVICE} create`).toEqual([409, `network with name ${network} already exists`]);
    for (const body of [
      { Name: `${network}2`, IPAM: { Config: [{ Subnet: '10.99.0.0/24' }] } },
      { Name: `${network}3`, Options: { 'com.docker.network.bridge.name': 'br9' } },
      { Name: `${network}4`, EnableIPv6: true },
      { Name: `${network}5`, Driver: 'macvlan' },
    ]) {
      const res = await api(daemon, 'POST', '/v1.41/networks/create', body);
      expect([res.status, res.body?.message], `${JSON.stringify(body)} cannot take effect on a loopback-only namespace: a 400 that says so — ${WHERE_SERVICE} create (checkNetworkCreate)`).toEqual([400, expect.stringContaining('is not supported by minidockerd')]);
    }
    const unknown = await api(daemon, 'POST', '/v1.41/networks/create', { Name: `${network}6`, Driver: 'nosuchdriver' });
    expect([unknown.status, unknown.body?.message], 'an unknown driver is docker\'s 404').toEqual([404, 'plugin "nosuchdriver" not found']);
    const filtered = await api<any[]>(daemon, 'GET', `/v1.41/networks?filters=${encodeURIComponent(JSON.stringify({ label: ['team=a'] }))}`);
    expect((filtered.body ?? []).map((n) => n.Name), 'the label filter keeps the labelled network only').toEqual([network]);

    const created = await api(daemon, 'POST', '/v1.41/containers/create', { Image: 'busybox', Cmd: ['sleep', '300'] });
    const id = created.body.Id as string;
    const alias = nameFrom(rng, 'a');
    const connected = await api(daemon, 'POST', `/v1.41/networks/${network}/connect`, { Container: id, EndpointConfig: { Aliases: [alias] } });
    expect(connected.status, `connect of a stopped container answers 200; it said ${connected.status} ${connected.text.slice(0, 200)} — ${WHERE_SERVICE} connect`).toBe(200);
    const networks = (await api<any>(daemon, 'GET', `/v1.41/containers/${id}/json`)).body?.NetworkSettings?.Networks;
    expect(Object.keys(networks ?? {}), 'the container is now on that network (in place of bridge: one namespace per container)').toEqual([network]);
    expect(networks?.[network]?.Aliases).toEqual([alias]);
    expect((await api(daemon, 'POST', `/v1.41/containers/${id}/start`, undefined, 40_000)).status).toBe(204);
    const own = await netnsOf(daemon, id);
    expect(own, 'started, it runs in a namespace of its own (not the host\'s)').not.toBe(await fs.readlink('/proc/self/ns/net'));
    const moving = await api(daemon, 'POST', `/v1.41/networks/${network}/disconnect`, { Container: id });
    expect([moving.status, moving.body?.message], 'a running container cannot change namespace: a 409 that says to stop it').toEqual([409, expect.stringContaining('stop it first')]);
    expect((await api(daemon, 'POST', `/v1.41/containers/${id}/kill`)).status).toBe(204);
    await api(daemon, 'POST', `/v1.41/containers/${id}/wait`, undefined, 30_000);
    const left = await api(daemon, 'POST', `/v1.41/networks/${network}/disconnect`, { Container: id });
    expect(left.status, 'stopped, it is disconnected (200)').toBe(200);
    const after = (await api<any>(daemon, 'GET', `/v1.41/containers/${id}/json`)).body?.NetworkSettings?.Networks;
    expect(after, 'and is on no network').toEqual({});
    const pruned = await api<any>(daemon, 'POST', '/v1.41/networks/prune');
    expect(pruned.body?.NetworksDeleted, 'prune removes the user-defined network nothing runs on, and keeps the built-in ones').toEqual([network]);
  }, 120_000);

  it.skipIf(unshare.skip)('a user-defined network survives a daemon SIGKILL and restart: a container started after it still reaches one started before by name', async () => {
    requireTool(unshare);
    const first = await daemonWithBusybox();
    const rng = seeded();
    const network = nameFrom(rng, 'n');
    const server = nameFrom(rng, 'web');
    const token = nameFrom(rng, 't');
    const networkId = await createNetwork(first, { Name: network });
    await running(first, `mkdir -p /www && echo ${token} > /www/index.html && exec httpd -f -p 80 -h /www`, { HostConfig: { NetworkMode: network } }, server);
    first.signal('SIGKILL');
    await first.exited;
    const second = await daemons.start({ socketPath: first.socketPath, dataRoot: first.dataRoot });
    const found = await api<any>(second, 'GET', `/v1.41/networks/${network}`);
    expect(found.body?.Id, `the network's record survived the restart ${rng.why}`).toBe(networkId);
    const [script, extra] = fetchFrom(network, `http://${server}/`);
    expect(await output(second, script, extra), `a container started by the new daemon joins the same namespace and fetches from ${server} — ${WHERE_SERVICE} namespaceOf (the holder, found again)`).toContain(token);
  }, 120_000);

  it.skipIf(docker.skip)('docker network create, ls and rm work, and docker run --network --network-alias lets one container fetch from another by alias', async () => {
    const bin = requireTool(docker);
    requireTool(unshare);
    const daemon = await daemonWithBusybox();
    const rng = seeded();
    const network = nameFrom(rng, 'n');
    const alias = nameFrom(rng, 'a');
    const token = nameFrom(rng, 't');
    const { run: cli } = dockerCli(bin, daemon.socketPath, await daemons.harness.tempDir());
    const created = await cli(['network', 'create', network]);
    expect(created.code, `docker network create ${network} succeeds ${rng.why}: ${created.stderr}`).toBe(0);
    const listed = await cli(['network', 'ls', '--format', '{{.Name}} {{.Driver}}']);
    expect(listed.stdout.trim().split('\n').sort(), 'docker network ls shows it beside bridge, host and none').toEqual([`bridge bridge`, `host host`, `${network} bridge`, 'none null'].sort());
    const served = await cli(['run', '-d', '--network', network, '--network-alias', alias, 'busybox', 'sh', '-c', `mkdir -p /www && echo ${token} > /www/index.html && exec httpd -f -p 80 -h /www`]);
    expect(served.code, `docker run -d --network ${network} --network-alias ${alias} succeeds: ${served.stderr}`).toBe(0);
    const fetched = await cli(['run', '--rm', '--network', network, 'busybox', 'sh', '-c', fetchFrom(network, `http://${alias}/`)[0]]);
    expect(fetched.stdout, `docker run --rm --network ${network} busybox wget http://${alias}/ gets the page: ${fetched.stderr}`).toContain(token);
    const busy = await cli(['network', 'rm', network]);
    expect([busy.code, busy.stderr], 'docker network rm refuses while a container on it runs').toEqual([1, expect.stringContaining('has active endpoints')]);
    expect((await cli(['rm', '-f', served.stdout.trim()])).code).toBe(0);
    const removed = await cli(['network', 'rm', network]);
    expect([removed.code, removed.stdout.trim()], 'then docker network rm removes it and prints its name').toEqual([0, network]);
  }, 150_000);
}
