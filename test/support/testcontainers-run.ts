/**
 * The parent side of the testcontainers checks (lessons 14 and 15): runs one
 * scenario of test/support/testcontainers-scenario.ts in a process of its own
 * against one real daemon, and reads back its report. testcontainers keeps
 * one client, for one daemon, per process, so every check's daemon gets a
 * new process:
 *
 * ```
 * check ──▶ node --import tsx testcontainers-scenario.ts '<ScenarioInput>'
 *             DOCKER_HOST=unix://<the daemon's socket>, ryuk off, HOME empty, no NODE_ENV
 *           ◀── one JSON line on stdout: the ScenarioReport; testcontainers' log on stderr
 * ```
 */
import { createRequire } from 'node:module';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { inCI } from '../../fixtures/ci.js';
import { repoRoot } from '../../kata/impl-switch.js';
import { api, within } from './container-harness.js';
import type { ContainerDaemons } from './container-harness.js';
import type { DaemonProcess } from './daemon-harness.js';
import type { Prerequisite } from './prereq.js';
import type { ScenarioInput, ScenarioReport } from './testcontainers-scenario.js';

const SCENARIO = fileURLToPath(new URL('./testcontainers-scenario.ts', import.meta.url));

/** The testcontainers package, resolved from here; a prerequisite like a tool's (it is a dependency, so always there after npm install). */
export function testcontainersPrerequisite(name = 'testcontainers'): Prerequisite {
  let found: string | undefined;
  try {
    found = createRequire(import.meta.url).resolve(name);
  } catch {
    found = undefined;
  }
  return { path: found, skip: found === undefined && !inCI, reason: `${name} is not installed (npm install); this interop check is skipped` };
}

/** The URL of tsx's loader, for `node --import`. */
function tsxLoader(): string {
  return pathToFileURL(createRequire(import.meta.url).resolve('tsx')).href;
}

/** What one scenario process reported, and the end of what testcontainers logged. */
export interface ScenarioRun {
  report: ScenarioReport;
  /** `step "x" failed: message — where to look`, or '' when no step failed. */
  failure: string;
  /** The last lines testcontainers logged (DEBUG=testcontainers), for messages. */
  log: string;
}

/**
 * Runs one scenario against `daemon` in a new process: DOCKER_HOST its socket,
 * ryuk off, no TESTCONTAINERS_HOST_OVERRIDE, HOME an empty dir (no
 * ~/.testcontainers.properties can send it elsewhere). `where` names, per
 * step, where to look when that step fails.
 * @throws Error when the process hangs past its deadline or ends without its report.
 */
export async function runScenario(daemons: ContainerDaemons, daemon: DaemonProcess, input: ScenarioInput, where: Record<string, string>): Promise<ScenarioRun> {
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    DOCKER_HOST: `unix://${daemon.socketPath}`,
    TESTCONTAINERS_RYUK_DISABLED: 'true',
    HOME: await daemons.harness.tempDir(),
    DEBUG: 'testcontainers',
  };
  // NODE_ENV=test (vitest's) would send testcontainers' log to stdout, where the report goes.
  for (const name of ['NODE_ENV', 'TESTCONTAINERS_HOST_OVERRIDE', 'DOCKER_TLS_VERIFY', 'DOCKER_CERT_PATH', 'DOCKER_CONTEXT', 'TESTCONTAINERS_HUB_IMAGE_NAME_PREFIX', 'DOCKER_AUTH_CONFIG']) delete env[name];
  const child = daemons.harness.scope.spawn(process.execPath, ['--import', tsxLoader(), SCENARIO, JSON.stringify({ deadlineMs: 80_000, ...input })], {
    cwd: repoRoot,
    env,
    stdio: ['ignore', 'pipe', 'pipe'],
    label: `testcontainers ${input.scenario}`,
  });
  const ended = await within(child.exited, 100_000, `the testcontainers process did not end within 100 s; it logged: ${child.stderr().slice(-600)}`).catch(async (err: unknown) => {
    await child.stop();
    throw err;
  });
  const log = child.stderr().trim().split('\n').slice(-6).join('\n');
  const line = child.stdout().trim().split('\n').filter((l) => l.startsWith('{')).pop() ?? '';
  let report: ScenarioReport;
  try {
    report = JSON.parse(line) as ScenarioReport;
  } catch {
    throw new Error(`the testcontainers process ended (code ${ended.code}, signal ${ended.signal}) without its report; it logged:\n${child.stderr().slice(-1000)}`);
  }
  const failed = report.failed;
  const failure = failed ? `step "${failed.step}" failed after ${report.done.join(', ') || 'nothing'}: ${failed.message.trim()} — ${where[failed.step] ?? ''}` : '';
  return { report, failure, log };
}

/** The containers testcontainers left on the daemon (label org.testcontainers=true), stopped ones too. */
export async function leftOver(daemon: DaemonProcess): Promise<string[]> {
  const filters = encodeURIComponent(JSON.stringify({ label: ['org.testcontainers=true'] }));
  const listed = await api<any[]>(daemon, 'GET', `/v1.41/containers/json?all=1&filters=${filters}`);
  return (listed.body ?? []).map((c) => `${String(c.Id).slice(0, 12)} ${c.State}`);
}
