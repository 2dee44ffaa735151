/**
 * Lesson 14 checks: the workshop's own CLI on the ports and networks a real
 * minidockerd (on the offline busybox mirror) gives. `minidocker run -p`
 * publishes a port that busybox httpd answers on, `minidocker port` and the
 * PORTS column of `minidocker ps` show it as docker does; `minidocker
 * network …` manages a user-defined network, printed as docker prints it.
 * The CLI itself is provided, but `run` and `ps` are lesson 02's: their
 * messages point there. Ports, names and tokens come from a printed seed.
 */
import http from 'node:http';
import { expect, it } from 'vitest';
import { api } from '../../support/container-harness.js';
import type { ContainerDaemons } from '../../support/container-harness.js';
import type { DaemonProcess } from '../../support/daemon-harness.js';
import { minidocker } from '../../support/minidocker-cli.js';
import { prerequisite, requireTool } from '../../support/prereq.js';
import { nameFrom, seeded } from '../../support/seeded.js';
import type { Seeded } from '../../support/seeded.js';
import { freePort } from './publish.js';

const RUN = 'src/cli/commands/run.ts buildCreateRequest (lesson 02): return withNetworking(body, options.networking)';
const PS = 'src/cli/commands/containers.ts ps (lesson 02): PORTS is displayablePorts(c.Ports)';

/** GET http://127.0.0.1:<port>/passwd until busybox httpd (serving /etc) answers 200; its body, or '' after `withinMs`. */
async function fetchPasswd(port: number, withinMs = 10_000): Promise<string> {
  const until = Date.now() + withinMs;
  while (Date.now() < until) {
    const body = await new Promise<string | undefined>((resolve) => {
      const req = http.get({ host: '127.0.0.1', port, path: '/passwd', timeout: 2_000, agent: false }, (res) => {
        let text = '';
        res.setEncoding('utf8');
        res.on('data', (chunk: string) => (text += chunk));
        res.on('end', () => resolve(res.statusCode === 200 ? text : undefined));
        res.on('error', () => resolve(undefined));
      });
      req.on('timeout', () => req.destroy());
      req.on('error', () => resolve(undefined));
    });
    if (body !== undefined) return body;
    await new Promise((r) => setTimeout(r, 100));
  }
  return '';
}

/**
 * Declares the CLI checks on a real daemon; call it inside the lesson's
 * describe, with the fixtures the test file made (mirror started in its
 * beforeAll, cleanup in its afterEach).
 */
export function registerCliChecks(daemons: ContainerDaemons): void {
  const unshare = prerequisite('unshare', 'install util-linux (unshare holds a network\'s namespace)');

  async function daemonWithBusybox(): Promise<DaemonProcess> {
    const daemon = await daemons.start();
    await daemons.pull(daemon, 'busybox');
    return daemon;
  }

  it('minidocker run -p publishes a port that minidocker port and the PORTS column of minidocker ps show', async () => {
    const daemon = await daemonWithBusybox();
    const rng = seeded();
    const name = nameFrom(rng, 'web');
    const inside = rng.int(1024, 9999);
    const exposed = inside + rng.int(1, 99);
    const fixed = await freePort();
    const cli = (args: string[]) => minidocker(daemon.socketPath, args, 60_000);

    const started = await cli(['run', '-d', '--name', name, '-p', `127.0.0.1:${fixed}:${inside}`, '-p', String(inside), '--expose', String(exposed), 'busybox', 'httpd', '-f', '-p', String(inside), '-h', '/etc']);
    expect([started.code, started.stderr], `minidocker run -d -p 127.0.0.1:${fixed}:${inside} -p ${inside} --expose ${exposed} busybox httpd … exits 0 ${rng.why}`).toEqual([0, '']);
    expect(started.stdout, 'and prints the container\'s full id').toMatch(/^[0-9a-f]{64}\n$/);

    const inspected = (await api<any>(daemon, 'GET', `/v1.41/containers/${name}/json`)).body;
    expect(inspected?.HostConfig?.PortBindings, `each -p becomes a HostConfig.PortBindings entry as docker sends it: host IP and port as given, '' for what -p leaves out — ${RUN}`).toEqual({
      [`${inside}/tcp`]: [{ HostIp: '127.0.0.1', HostPort: String(fixed) }, { HostIp: '', HostPort: '' }],
    });
    expect(Object.keys(inspected?.Config?.ExposedPorts ?? {}).sort(), `-p and --expose both expose their port: Config.ExposedPorts — ${RUN}`).toEqual([`${exposed}/tcp`, `${inside}/tcp`].sort());
    const bound = (inspected?.NetworkSettings?.Ports?.[`${inside}/tcp`] ?? []) as Array<{ HostIp: string; HostPort: string }>;
    expect(bound.map((b) => b.HostIp), 'the daemon published both bindings on loopback (inspect NetworkSettings.Ports)').toEqual(['127.0.0.1', '127.0.0.1']);
    const hostPorts = bound.map((b) => Number(b.HostPort)).sort((a, b) => a - b);
    expect(hostPorts, `one of them is the fixed port ${fixed}`).toContain(fixed);
    expect(await fetchPasswd(fixed), `GET 127.0.0.1:${fixed}/passwd reaches busybox httpd on port ${inside} in the container`).toMatch(/^root:/m);

    const all = await cli(['port', name]);
    expect([all.code, all.stdout, all.stderr], `minidocker port ${name}: one "<port>/<proto> -> <host ip>:<host port>" line per binding, in docker's natural order (src/cli/commands/port.ts reads inspect's NetworkSettings.Ports)`).toEqual([
      0, hostPorts.map((p) => `${inside}/tcp -> 127.0.0.1:${p}\n`).join(''), '',
    ]);
    const one = await cli(['port', name, String(inside)]);
    expect([one.code, one.stdout], `minidocker port ${name} ${inside}: just the host addresses`).toEqual([0, hostPorts.map((p) => `127.0.0.1:${p}\n`).join('')]);
    const udp = await cli(['port', name, `${inside}/udp`]);
    expect([udp.code, udp.stdout, udp.stderr], 'a port published on tcp only has no udp mapping: docker\'s error, exit 1').toEqual([
      1, '', `Error: No public port '${inside}/udp' published for ${name}\n`,
    ]);

    const ps = await cli(['ps']);
    expect(ps.code, `minidocker ps exits 0; stderr: ${ps.stderr.slice(0, 300)}`).toBe(0);
    const [header = '', ...rows] = ps.stdout.split('\n');
    expect(header, 'minidocker ps has docker\'s columns').toMatch(/^CONTAINER ID +IMAGE +COMMAND +CREATED +STATUS +PORTS +NAMES$/);
    const row = rows.find((line) => line.endsWith(` ${name}`)) ?? '';
    expect(row, `the PORTS column shows each binding as docker's "127.0.0.1:<host port>-><port>/tcp", joined with ", ", sorted by host port — ${PS}`).toContain(
      hostPorts.map((p) => `127.0.0.1:${p}->${inside}/tcp`).join(', '),
    );

    const removed = await cli(['rm', '-f', name]);
    expect([removed.code, removed.stdout], `minidocker rm -f ${name}`).toEqual([0, `${name}\n`]);
  }, 120_000);

  it.skipIf(unshare.skip)('minidocker network create, ls, inspect, rm and prune manage user-defined networks, printed as docker prints them', async () => {
    requireTool(unshare);
    const daemon = await daemonWithBusybox();
    const rng = seeded();
    const network = nameFrom(rng, 'n');
    const team = nameFrom(rng, 't');
    const cli = (args: string[]) => minidocker(daemon.socketPath, args, 60_000);

    const created = await cli(['network', 'create', '--label', `team=${team}`, network]);
    expect([created.code, created.stderr], `minidocker network create --label team=${team} ${network} exits 0 ${rng.why}`).toEqual([0, '']);
    expect(created.stdout, 'and prints the new network\'s full id').toMatch(/^[0-9a-f]{64}\n$/);
    const id = created.stdout.trim();

    const known = ((await api<any[]>(daemon, 'GET', '/v1.41/networks')).body ?? []).map((n) => [n.Id.slice(0, 12), n.Name, n.Driver, n.Scope] as string[]);
    const listed = await cli(['network', 'ls']);
    const [header, ...rows] = listed.stdout.trimEnd().split('\n');
    expect(header, 'minidocker network ls has docker\'s columns, padded as docker pads them').toBe('NETWORK ID     NAME      DRIVER    SCOPE');
    expect(rows.map((line) => line.split(/ {3,}/)), 'one row per network (12-character id, name, driver, scope), sorted by name — GET /networks').toEqual(
      known.sort((a, b) => (a[1] ?? '').localeCompare(b[1] ?? '')),
    );
    expect(rows.map((line) => line.split(/ +/)[1]), 'the new network is listed beside bridge, host and none').toContain(network);
    const quiet = await cli(['network', 'ls', '-q', '--filter', `label=team=${team}`]);
    expect(quiet.stdout, `network ls -q --filter label=team=${team}: the labelled network's short id only`).toBe(`${id.slice(0, 12)}\n`);

    const inspected = await cli(['network', 'inspect', network]);
    expect(inspected.code, `minidocker network inspect ${network} exits 0; stderr: ${inspected.stderr.slice(0, 300)}`).toBe(0);
    expect(inspected.stdout, 'a JSON array indented by 4 spaces, as docker prints it').toMatch(/^\[\n {4}\{\n {8}"[\s\S]*\n {4}\}\n\]\n$/);
    expect(JSON.parse(inspected.stdout), 'holding the network: its id, name, driver and labels').toEqual([
      expect.objectContaining({ Id: id, Name: network, Driver: 'bridge', Labels: { team } }),
    ]);
    const missing = nameFrom(rng, 'gone');
    const none = await cli(['network', 'inspect', missing]);
    expect([none.code, none.stdout, none.stderr], 'an unknown network: [] on stdout, the daemon\'s error on stderr, exit 1').toEqual([
      1, '[]\n', `Error response from daemon: network ${missing} not found\n`,
    ]);

    const removed = await cli(['network', 'rm', network]);
    expect([removed.code, removed.stdout], `minidocker network rm ${network} prints its name`).toEqual([0, `${network}\n`]);
    expect((await cli(['network', 'ls', '-q', '--filter', `name=${network}`])).stdout, 'and it is gone from the list').toBe('');
    const again = await cli(['network', 'rm', network]);
    expect([again.code, again.stderr], 'removing it again fails with the daemon\'s error').toEqual([1, expect.stringContaining(`network ${network} not found`)]);
    const forced = await cli(['network', 'rm', '-f', network]);
    expect([forced.code, forced.stdout, forced.stderr], 'with -f a missing network is no error, as in docker').toEqual([0, '', '']);

    const unused = [nameFrom(rng, 'p'), nameFrom(rng, 'q')];
    for (const name of unused) expect((await cli(['network', 'create', name])).code, `network create ${name}`).toBe(0);
    const pruned = await cli(['network', 'prune', '-f']);
    const [title, ...names] = pruned.stdout.split('\n');
    expect([pruned.code, title, names.slice(-2)], 'network prune -f prints "Deleted Networks:", the names, and a blank line').toEqual([0, 'Deleted Networks:', ['', '']]);
    expect(names.slice(0, -2).sort(), 'it removed both unused networks, and no built-in one').toEqual(unused.sort());
  }, 120_000);

  it.skipIf(unshare.skip)('minidocker run --network, --network-alias, --add-host and -h reach the daemon: a container fetches from another by its alias', async () => {
    requireTool(unshare);
    const daemon = await daemonWithBusybox();
    const rng = seeded();
    const network = nameFrom(rng, 'n');
    const alias = nameFrom(rng, 'a');
    const host = nameFrom(rng, 'h');
    const extra = nameFrom(rng, 'x');
    const address = `127.${rng.int(1, 254)}.${rng.int(0, 255)}.${rng.int(1, 254)}`;
    const token = nameFrom(rng, 'tok');
    const cli = (args: string[]) => minidocker(daemon.socketPath, args, 60_000);

    expect((await cli(['network', 'create', network])).code, `minidocker network create ${network} ${rng.why}`).toBe(0);
    const server = await cli(['run', '-d', '--network', network, '--network-alias', alias, 'busybox', 'sh', '-c', `mkdir -p /www && echo ${token} > /www/index.html && exec httpd -f -p 80 -h /www`]);
    expect([server.code, server.stderr], `minidocker run -d --network ${network} --network-alias ${alias} … exits 0 — ${RUN}`).toEqual([0, '']);
    const aliases = (await api<any>(daemon, 'GET', `/v1.41/containers/${server.stdout.trim()}/json`)).body?.NetworkSettings?.Networks?.[network]?.Aliases;
    expect(aliases, `--network-alias travels as NetworkingConfig.EndpointsConfig.${network}.Aliases — ${RUN}`).toEqual([alias]);

    // busybox nc, not wget: the static busybox's wget can crash in getaddrinfo, where nc does not.
    const fetch = `printf 'GET / HTTP/1.0\\r\\n\\r\\n' | nc ${alias} 80 2>/dev/null | tail -n 1 | grep .`;
    const script = `hostname; grep -w ${extra} /etc/hosts; for i in $(seq 1 50); do ${fetch} && exit 0; sleep 0.2; done; exit 1`;
    const client = await cli(['run', '--rm', '--network', network, '-h', host, '--add-host', `${extra}:${address}`, 'busybox', 'sh', '-c', script]);
    expect([client.code, client.stderr], `minidocker run --rm --network ${network} -h ${host} --add-host ${extra}:${address} busybox sh -c … exits 0`).toEqual([0, '']);
    expect(client.stdout.split('\n').map((line) => line.trim().split(/\s+/).join(' ')), `-h sets the hostname, --add-host a line of /etc/hosts (HostConfig.ExtraHosts), and the alias answers on the network — ${RUN}`).toEqual([
      host, `${address} ${extra}`, token, '',
    ]);
  }, 150_000);
}
