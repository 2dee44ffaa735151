/**
 * One testcontainers scenario in a process of its own, for lesson 14's
 * interop checks (test/lessons/14-ports/testcontainers.ts).
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
import { GenericContainer, Network, getContainerRuntimeClient } from 'testcontainers';
import type { StartedNetwork, StartedTestContainer } from 'testcontainers';

/** What the parent asks for. */
export interface ScenarioInput {
  /**
   * `exposed`: busybox httpd with `withExposedPorts(80)` and the default wait
   * strategy, then a GET of `http://<getHost()>:<getMappedPort(80)>/`.
   * `network`: a `Network`, httpd on it under `alias`, and a second container
   * on it that fetches `http://<alias>/` through `exec`.
   */
  scenario: 'exposed' | 'network';
  /** What the server's index.html holds. */
  token: string;
  /** The server's network alias (`network` only). */
  alias?: string;
  /** Give up after this many ms (default 80 000). */
  deadlineMs?: number;
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
    new GenericContainer('busybox').withCommand(['sh', '-c', HTTPD(input.token)]).withExposedPorts(80).withStartupTimeout(30_000).start(),
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
    new GenericContainer('busybox').withCommand(['sh', '-c', HTTPD(input.token)]).withNetwork(network!).withNetworkAliases(alias).withStartupTimeout(30_000).start(),
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
  if (input.scenario === 'exposed') await exposed(input);
  else await onNetwork(input);
} catch {
  // recorded by step()
}
await cleanup();
clearTimeout(watchdog);
finish(0);
