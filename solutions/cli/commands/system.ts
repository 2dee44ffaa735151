/**
 * `minidocker version` and `minidocker info`: one GET each, printed like
 * `docker version` / `docker info`.
 *
 * ```
 * version → systemVersion: GET /version → Client: … (always)  Server: Engine: … (when the daemon answered)
 * info    → systemInfo:    GET /info    → Client: …  Server: Containers: 3 / Running: 1 / … / Total Memory: 23.47GiB
 * ```
 */
import type { SystemVersion } from '../../api/types.js';
import { CLIENT_MAX_API_VERSION } from '../../client/engine-client.js';
import { systemInfo, systemVersion } from '../../client/system.js';
import { packageVersion } from '../../config.js';
import { bytesSize } from '../../units.js';
import type { CommandContext } from '../context.js';
import { formatTable } from '../format.js';

/**
 * `minidocker version`: prints the Client section, then asks `GET /version`
 * (`systemVersion`) and prints the Server section (its Engine component,
 * then any other components). docker lays both out with a tabwriter of
 * minimum width 20.
 * @returns 0.
 * @throws the client's error when the daemon cannot be asked; the Client
 *   section has been printed by then, as docker does.
 */
export async function version(ctx: CommandContext): Promise<number> {
  const { client, io } = ctx;
  let server: SystemVersion;
  try {
    server = await systemVersion(client);
  } catch (err) {
    io.stdout.write(clientSection(CLIENT_MAX_API_VERSION));
    throw err;
  }
  const negotiated = await client.negotiate();
  const apiVersion = negotiated === CLIENT_MAX_API_VERSION ? negotiated : `${negotiated} (downgraded from ${CLIENT_MAX_API_VERSION})`;
  const engine: [string, string | undefined][] = [
    ['Version:', server.Version],
    ['API version:', `${server.ApiVersion} (minimum version ${server.MinAPIVersion})`],
    ['Go version:', server.GoVersion],
    ['Git commit:', server.GitCommit],
    ['Built:', server.BuildTime],
    ['OS/Arch:', `${server.Os}/${server.Arch}`],
    ['Experimental:', server.Experimental === undefined ? undefined : String(server.Experimental)],
  ];
  let out = `${clientSection(apiVersion)}\nServer:\n Engine:\n${block('  ', engine)}`;
  for (const component of server.Components ?? []) {
    if (component.Name === 'Engine') continue;
    const details = Object.keys(component.Details ?? {})
      .sort()
      .map((key): [string, string | undefined] => [`${key}:`, component.Details?.[key]]);
    out += ` ${component.Name}:\n${block('  ', [['Version:', component.Version], ...details])}`;
  }
  io.stdout.write(out);
  return 0;
}

/**
 * `minidocker info`: asks `GET /info` (`systemInfo`) and prints a Client section and a
 * Server section the way `docker info` does (`" Label: value"` lines; missing
 * numbers print as 0, missing strings are left out). Daemon warnings go to stderr.
 * @returns 0.
 * @throws the client's error when the daemon cannot be asked (after the Client section).
 */
export async function info(ctx: CommandContext): Promise<number> {
  const { client, io } = ctx;
  io.stdout.write(`Client:\n Version:    ${packageVersion()}\n\nServer:\n`);
  const i = await systemInfo(client);
  const lines: string[] = [];
  const line = (label: string, value: string | number | undefined) => lines.push(` ${label} ${value ?? ''}`);
  const nonEmpty = (label: string, value: string | undefined) => {
    if (value) line(label, value);
  };
  line('Containers:', i.Containers ?? 0);
  line(' Running:', i.ContainersRunning ?? 0);
  line(' Paused:', i.ContainersPaused ?? 0);
  line(' Stopped:', i.ContainersStopped ?? 0);
  line('Images:', i.Images ?? 0);
  nonEmpty('Server Version:', i.ServerVersion);
  nonEmpty('Storage Driver:', i.Driver);
  nonEmpty('Logging Driver:', i.LoggingDriver);
  nonEmpty('Cgroup Driver:', i.CgroupDriver);
  nonEmpty('Cgroup Version:', i.CgroupVersion);
  if (i.Runtimes && Object.keys(i.Runtimes).length > 0) {
    line('Runtimes:', Object.keys(i.Runtimes).join(' '));
    line('Default Runtime:', i.DefaultRuntime);
  }
  nonEmpty('Kernel Version:', i.KernelVersion);
  nonEmpty('Operating System:', i.OperatingSystem);
  nonEmpty('OSType:', i.OSType);
  nonEmpty('Architecture:', i.Architecture);
  line('CPUs:', i.NCPU ?? 0);
  line('Total Memory:', bytesSize(i.MemTotal ?? 0));
  nonEmpty('Name:', i.Name);
  nonEmpty('ID:', i.ID);
  line('Docker Root Dir:', i.DockerRootDir);
  if (i.Labels && i.Labels.length > 0) lines.push(' Labels:', ...i.Labels.map((l) => `  ${l}`));
  io.stdout.write(`${lines.join('\n')}\n\n`);
  for (const warning of i.Warnings ?? []) io.stderr.write(`${warning}\n`);
  return 0;
}

function clientSection(apiVersion: string): string {
  return `Client:\n${block(' ', [
    ['Version:', packageVersion()],
    ['API version:', apiVersion],
    ['Node.js version:', process.version],
    ['OS/Arch:', `${process.platform}/${goArch(process.arch)}`],
  ])}`;
}

// One indented "Key: value" block, aligned as docker's tabwriter(out, 20, 1, 1, ' ', 0) does.
function block(indent: string, pairs: [string, string | undefined][]): string {
  return formatTable(
    pairs.filter((p): p is [string, string] => p[1] !== undefined && p[1] !== '').map(([k, v]) => [indent + k, v]),
    20,
    1,
  );
}

// Docker names architectures the Go way.
function goArch(arch: string): string {
  return ({ x64: 'amd64', ia32: '386' } as Record<string, string>)[arch] ?? arch;
}
