/**
 * One testcontainers scenario in a process of its own, for the interop checks
 * of lessons 14 (test/lessons/14-ports/testcontainers.ts: ports and networks)
 * and 15 (test/lessons/15-volumes/testcontainers.ts: copies, binds, tmpfs),
 * run by test/support/testcontainers-run.ts.
 *
 * testcontainers keeps one container runtime client per process
 * (`getContainerRuntimeClient` is memoised, with the daemon it found, the
 * host it resolved, and the images it has seen), and offers no way to forget
 * it. A check that starts its own daemon on a new socket therefore runs its
 * scenario in a new process, which also keeps testcontainers' global state
 * out of the test worker:
 *
 * ```
 * DOCKER_HOST=unix://<socket> TESTCONTAINERS_RYUK_DISABLED=true \
 *   node --import tsx testcontainers-scenario.ts '<ScenarioInput as JSON>'
 * ```
 *
 * It prints one JSON line, the {@link ScenarioReport}: the steps it got
 * through, what it saw, and the first error. It stops what it started, also
 * after an error, and gives up (reporting where it was) at the deadline.
 * Run directly only: importing it runs it.
 */
import http from 'node:http';
import { GenericContainer, Network, Wait, getContainerRuntimeClient } from 'testcontainers';
import type { StartedNetwork, StartedTestContainer } from 'testcontainers';

/** What the parent asks for. */
export interface ScenarioInput {
  /**
   * `exposed`: busybox httpd with `withExposedPorts(80)` and the default wait
   * strategy, then a GET of `http://<getHost()>:<getMappedPort(80)>/`.
   * `network`: a `Network`, httpd on it under `alias`, and a second container
   * on it that fetches `http://<alias>/` through `exec`.
   * `copy-before-start`: busybox built with `withCopyContentToContainer`,
   * `withCopyFilesToContainer` and `withCopyDirectoriesToContainer` (`copies`),
   * then each of `commands` through `exec`.
   * `copy-running`: busybox started first, then `copyContentToContainer`,
   * `copyFilesToContainer` and `copyDirectoriesToContainer` (`copies`), each of
   * `commands` through `exec`, and `copyArchiveFromContainer` of each of `archives`.
   * `mounts`: busybox with `withBindMounts(binds)` and `withTmpFs(tmpfs)`, then
   * each of `commands` through `exec`.
   * The busybox of the last three runs `startScript`, says it is ready (the
   * wait strategy waits for that line), then sleeps.
   */
  scenario: 'exposed' | 'network' | 'copy-before-start' | 'copy-running' | 'mounts';
  /** What the server's index.html holds (`exposed`, `network`). */
  token?: string;
  /** The server's network alias (`network` only). */
  alias?: string;
  /** What to copy into the container (`copy-before-start`, `copy-running`). */
  copies?: ScenarioCopies;
  /** testcontainers' bind mounts, its BindMount (`mounts`). */
  binds?: Array<{ source: string; target: string; mode?: 'rw' | 'ro' | 'z' | 'Z' }>;
  /** testcontainers' tmpfs mounts, target → options (`mounts`). */
  tmpfs?: Record<string, string>;
  /** A shell script the container's command runs before it says it is ready. */
  startScript?: string;
  /** Shell scripts run one by one with `exec(['sh', '-c', script])` once the container runs. */
  commands?: string[];
  /** Container paths read back with `copyArchiveFromContainer` (`copy-running`). */
  archives?: string[];
  /** Give up after this many ms (default 80 000). */
  deadlineMs?: number;
}

/** What to copy: testcontainers' ContentToCopy (text content here), FileToCopy and DirectoryToCopy (its index exports none of them). */
export interface ScenarioCopies {
  contents: Array<{ content: string; target: string; mode?: number }>;
  files: Array<{ source: string; target: string; mode?: number }>;
  directories: Array<{ source: string; target: string; mode?: number }>;
}

/** One `exec` of the scenario: the script and what testcontainers returned. */
export interface ScenarioExec {
  command: string;
  exitCode: number;
  stdout: string;
  stderr: string;
}

/** What `copyArchiveFromContainer(path)` gave: the tar's bytes (base64), or the error it threw. */
export interface ScenarioArchive {
  path: string;
  tar?: string;
  error?: string;
}

/** What the scenario did, printed as one JSON line. */
export interface ScenarioReport {
  /** The steps done, in order: runtime, start, fetch, stop … */
  done: string[];
  /** The first step that failed, with its error. */
  failed?: { step: string; message: string };
  /** How long each step done took, in ms. */
  ms: Record<string, number>;
  /** The host testcontainers resolved for the daemon (its runtime client's `info.containerRuntime.host`). */
  runtimeHost?: string;
  /** `container.getHost()` of the server. */
  host?: string;
  /** `container.getMappedPort(80)` of the server. */
  mappedPort?: number;
  /** The status and body of the GET of the mapped port. */
  status?: number;
  page?: string;
  /** The network's name and the client's exec result (`network`). */
  network?: string;
  output?: string;
  exitCode?: number;
  /** The results of `commands`, in order (`copy-*`, `mounts`). */
  execs?: ScenarioExec[];
  /** The archives read back, in the order of `archives` (`copy-running`). */
  archives?: ScenarioArchive[];
  /** Failures while stopping containers and the network (after the scenario itself). */
  cleanupErrors: string[];
}

const HTTPD = (token: string) => `mkdir -p /www && echo ${token} > /www/index.html && exec httpd -f -p 80 -h /www`;

/** busybox wget in a retry loop (no `-T`: it crashes this busybox). */
const FETCH = (url: string) => `for i in $(seq 1 50); do wget -qO- ${url} && exit 0; sleep 0.2; done; echo "no answer from ${url}"; exit 1`;

const report: ScenarioReport = { done: [], ms: {}, cleanupErrors: [] };
let current = 'start-up';
const started: StartedTestContainer[] = [];
let network: StartedNetwork | undefined;

/** Runs one step: records it as current, then as done with its time; a failure is recorded and rethrown. */
async function step<T>(name: string, work: () => Promise<T>): Promise<T> {
  current = name;
  const began = Date.now();
  try {
    const value = await work();
    report.done.push(name);
    report.ms[name] = Date.now() - began;
    return value;
  } catch (err) {
    report.failed ??= { step: name, message: err instanceof Error ? err.message : String(err) };
    throw err;
  }
}

/** GET `http://host:port/` once: status and body. */
function get(host: string, port: number, timeoutMs = 5_000): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const req = http.get({ host, port, path: '/', timeout: timeoutMs, agent: false }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => (body += chunk));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
      res.on('error', reject);
    });
    req.on('timeout', () => req.destroy(new Error(`no answer from ${host}:${port} within ${timeoutMs} ms`)));
    req.on('error', reject);
  });
}

async function exposed(input: ScenarioInput): Promise<void> {
  const server = await step('start', () =>
    new GenericContainer('busybox').withCommand(['sh', '-c', HTTPD(input.token ?? '')]).withExposedPorts(80).withStartupTimeout(30_000).start(),
  );
  started.push(server);
  report.host = server.getHost();
  report.mappedPort = await step('mapped-port', async () => server.getMappedPort(80));
  const res = await step('fetch', () => get(server.getHost(), server.getMappedPort(80)));
  [report.status, report.page] = [res.status, res.body];
  await step('stop', () => server.stop());
}

async function onNetwork(input: ScenarioInput): Promise<void> {
  const alias = input.alias ?? 'web';
  network = await step('network', () => new Network().start());
  report.network = network.getName();
  const server = await step('start-server', () =>
    new GenericContainer('busybox').withCommand(['sh', '-c', HTTPD(input.token ?? '')]).withNetwork(network!).withNetworkAliases(alias).withStartupTimeout(30_000).start(),
  );
  started.push(server);
  const client = await step('start-client', () =>
    new GenericContainer('busybox').withCommand(['sleep', '300']).withNetwork(network!).withStartupTimeout(30_000).start(),
  );
  started.push(client);
  const result = await step('exec', () => client.exec(['sh', '-c', FETCH(`http://${alias}/`)]));
  [report.output, report.exitCode] = [result.output, result.exitCode];
  await step('stop', async () => {
    await client.stop();
    await server.stop();
  });
  await step('network-stop', () => network!.stop());
  network = undefined;
}

/** The line the files scenarios' busybox prints once its start script is done. */
const READY = 'scenario-ready';

/** busybox running `startScript`, then saying it is ready and sleeping; the wait strategy waits for that line. */
function sleeper(input: ScenarioInput): GenericContainer {
  const script = `${input.startScript ?? ':'}\necho ${READY}\nexec sleep 300`;
  return new GenericContainer('busybox').withCommand(['sh', '-c', script]).withWaitStrategy(Wait.forLogMessage(READY)).withStartupTimeout(30_000);
}

/** Runs each of `commands` through exec, one step, and records the results. */
async function runCommands(container: StartedTestContainer, commands: string[]): Promise<void> {
  report.execs = [];
  await step('exec', async () => {
    for (const command of commands) {
      const result = await container.exec(['sh', '-c', command]);
      report.execs!.push({ command, exitCode: result.exitCode, stdout: result.stdout, stderr: result.stderr });
    }
  });
}

/** Reads each of `paths` with copyArchiveFromContainer: the tar's bytes, or the error. */
async function readArchives(container: StartedTestContainer, paths: string[]): Promise<void> {
  report.archives = [];
  await step('archive', async () => {
    for (const path of paths) {
      try {
        const stream = await container.copyArchiveFromContainer(path);
        const chunks: Buffer[] = [];
        for await (const chunk of stream as AsyncIterable<Buffer | string>) chunks.push(Buffer.isBuffer(chunk) ? chunk : Buffer.from(chunk));
        report.archives!.push({ path, tar: Buffer.concat(chunks).toString('base64') });
      } catch (err) {
        report.archives!.push({ path, error: err instanceof Error ? err.message : String(err) });
      }
    }
  });
}

/** withCopy…ToContainer on the builder: one archive PUT between create and start. */
async function copyBeforeStart(input: ScenarioInput): Promise<void> {
  const copies = input.copies ?? { contents: [], files: [], directories: [] };
  const container = await step('start', () =>
    sleeper(input).withCopyContentToContainer(copies.contents).withCopyFilesToContainer(copies.files).withCopyDirectoriesToContainer(copies.directories).start(),
  );
  started.push(container);
  await runCommands(container, input.commands ?? []);
  await step('stop', () => container.stop());
}

/** copy…ToContainer on a running container (an archive PUT each), then reading back with copyArchiveFromContainer. */
async function copyRunning(input: ScenarioInput): Promise<void> {
  const copies = input.copies ?? { contents: [], files: [], directories: [] };
  const container = await step('start', () => sleeper(input).start());
  started.push(container);
  await step('copy-content', () => container.copyContentToContainer(copies.contents));
  await step('copy-files', () => container.copyFilesToContainer(copies.files));
  await step('copy-directories', () => container.copyDirectoriesToContainer(copies.directories));
  await runCommands(container, input.commands ?? []);
  await readArchives(container, input.archives ?? []);
  await step('stop', () => container.stop());
}

/** withBindMounts and withTmpFs: HostConfig.Binds and HostConfig.Tmpfs at create. */
async function mounts(input: ScenarioInput): Promise<void> {
  const container = await step('start', () => sleeper(input).withBindMounts(input.binds ?? []).withTmpFs(input.tmpfs ?? {}).start());
  started.push(container);
  await runCommands(container, input.commands ?? []);
  await step('stop', () => container.stop());
}

/** Stops whatever is still running (a stop of a stopped container is a no-op in testcontainers). */
async function cleanup(): Promise<void> {
  for (const container of started.reverse()) {
    await container.stop().catch((err: unknown) => report.cleanupErrors.push(`stopping ${container.getId().slice(0, 12)}: ${(err as Error).message}`));
  }
  if (network) await network.stop().catch((err: unknown) => report.cleanupErrors.push(`removing network ${network?.getName()}: ${(err as Error).message}`));
}

function finish(code: number): void {
  process.stdout.write(`${JSON.stringify(report)}\n`, () => process.exit(code));
}

const input = JSON.parse(process.argv[2] ?? '{}') as ScenarioInput;
const deadlineMs = input.deadlineMs ?? 80_000;
const watchdog = setTimeout(() => {
  report.failed ??= { step: current, message: `no progress within ${deadlineMs} ms: the step "${current}" hung` };
  const bounded = new Promise((resolve) => setTimeout(resolve, 5_000).unref());
  void Promise.race([cleanup(), bounded]).finally(() => finish(0));
}, deadlineMs);

try {
  const client = await step('runtime', () => getContainerRuntimeClient());
  report.runtimeHost = client.info.containerRuntime.host;
  const scenarios: Record<ScenarioInput['scenario'], (input: ScenarioInput) => Promise<void>> = {
    exposed,
    network: onNetwork,
    'copy-before-start': copyBeforeStart,
    'copy-running': copyRunning,
    mounts,
  };
  const run = scenarios[input.scenario];
  if (run === undefined) throw new Error(`no scenario "${input.scenario}"`);
  await run(input);
} catch (err) {
  // A step's error is recorded by step() already.
  report.failed ??= { step: current, message: err instanceof Error ? err.message : String(err) };
}
await cleanup();
clearTimeout(watchdog);
finish(0);
