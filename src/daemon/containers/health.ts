/**
 * Health checks: docker's `HEALTHCHECK`, a probe run inside the container on
 * a timer while it runs. Each probe is an exec; its exit code moves the
 * container's `State.Health` between starting, healthy and unhealthy, which
 * inspect shows and `ps` adds to the status column (`Up 5 seconds (healthy)`).
 *
 * ```
 * start ─▶ Health {Status: starting} ─▶ every Interval (StartInterval during StartPeriod):
 *          probe = exec Test (CMD argv, or CMD-SHELL through /bin/sh -c), killed after Timeout
 *            exit 0      ─▶ healthy, FailingStreak 0
 *            otherwise   ─▶ FailingStreak + 1 (not during StartPeriod) ─▶ Retries reached: unhealthy
 *          Log: the last 5 probes {Start, End, ExitCode, Output (4096 bytes at most)}
 * exit  ─▶ the timer stops; a daemon restart resumes it for the containers that still run
 * ```
 */
import { NotImplementedError } from '../../errors.js';
import type { HealthConfig } from '../../image/types.js';
import type { ContainerRecord } from './container-store.js';
import { rfc3339Nano } from './container-store.js';

/** docker's defaults, in nanoseconds, for a duration the health check leaves at 0. */
export const HEALTH_DEFAULTS = { Interval: 30e9, Timeout: 30e9, StartPeriod: 0, StartInterval: 5e9, Retries: 3 } as const;

/** How many probes `State.Health.Log` keeps, and how much output of each (docker's maxLogEntries, maxOutputLen). */
export const MAX_HEALTH_LOG = 5;
export const MAX_PROBE_OUTPUT = 4096;

/** One probe, as `State.Health.Log` shows it. */
export interface HealthLogEntry {
  Start: string;
  End: string;
  ExitCode: number;
  Output: string;
}

/** `State.Health`. */
export interface Health {
  Status: 'starting' | 'healthy' | 'unhealthy';
  FailingStreak: number;
  Log: HealthLogEntry[];
}

/** What one probe gave: its exit code (-1 when it was killed at its timeout) and its output. */
export interface ProbeResult {
  exitCode: number;
  output: string;
  start: Date;
  end: Date;
}

/**
 * The argv a health check runs: `["CMD", "curl", "-f", "x"]` → `["curl", "-f", "x"]`,
 * `["CMD-SHELL", "curl -f x || exit 1"]` → `["/bin/sh", "-c", "curl -f x || exit 1"]`.
 * @returns undefined for none: no Test, an empty one, `["NONE"]`, or nothing after CMD.
 */
export function probeCommand(test: readonly string[] | undefined): string[] | undefined {
  // TODO(lesson-13): CMD: the words after it; CMD-SHELL: /bin/sh -c with the text after it; anything else (NONE, empty): undefined.
  throw new NotImplementedError('lesson-13: probeCommand');
}

/**
 * The health after one more probe, docker's rules: the probe joins the log
 * (the last {@link MAX_HEALTH_LOG} kept); exit code 0 makes the container
 * healthy and resets the failing streak; a failure adds to the streak, and
 * `retries` failures in a row make it unhealthy — except during the start
 * period, when a failure does not count while the container is still starting.
 */
export function recordProbe(health: Health, probe: ProbeResult, retries: number, inStartPeriod: boolean): Health {
  // TODO(lesson-13): Log the probe (Start/End with rfc3339Nano, the last MAX_HEALTH_LOG kept), then apply docker's rules.
  // HINT: exit 0 → healthy with FailingStreak 0; a failure while starting during the start period only logs;
  // HINT: any other failure adds 1 to FailingStreak, and `retries` in a row make it unhealthy.
  throw new NotImplementedError('lesson-13: recordProbe');
}

/** What the monitor needs of the containers: find a record and save it. */
export interface HealthTarget {
  resolve(id: string): ContainerRecord;
  save(record: ContainerRecord): Promise<void>;
}

/** Runs one probe in a running container, killing it after `timeoutMs`. */
export type ProbeRunner = (containerId: string, argv: string[], timeoutMs: number) => Promise<{ exitCode: number; output: string }>;

/**
 * Provided: the timers. One per running container with a health check; each
 * probe waits for the one before it. {@link HealthMonitor.start} on every
 * start (Health becomes starting), {@link HealthMonitor.resume} for a
 * container adopted after a daemon restart, {@link HealthMonitor.stop} on its exit.
 */
export class HealthMonitor {
  readonly #timers = new Map<string, { timer: NodeJS.Timeout | undefined; stopped: boolean }>();

  constructor(
    private readonly target: HealthTarget,
    private readonly probe: ProbeRunner,
  ) {}

  /** A container started: its health starts over, and probing begins. */
  async start(id: string): Promise<void> {
    const record = this.target.resolve(id);
    if (probeCommand(record.Config.Healthcheck?.Test) === undefined) return;
    record.State.Health = { Status: 'starting', FailingStreak: 0, Log: [] };
    await this.target.save(record);
    this.#schedule(id, Date.now());
  }

  /** A container that was running when the daemon started: probing goes on where it was. */
  resume(id: string): void {
    const record = this.target.resolve(id);
    if (probeCommand(record.Config.Healthcheck?.Test) === undefined || this.#timers.has(id)) return;
    record.State.Health ??= { Status: 'starting', FailingStreak: 0, Log: [] };
    this.#schedule(id, Date.parse(record.State.StartedAt));
  }

  /** The container exited (or is gone): no more probes. */
  stop(id: string): void {
    const entry = this.#timers.get(id);
    if (entry === undefined) return;
    entry.stopped = true;
    clearTimeout(entry.timer);
    this.#timers.delete(id);
  }

  /** Stops every timer (the daemon is shutting down). */
  close(): void {
    for (const id of [...this.#timers.keys()]) this.stop(id);
  }

  #schedule(id: string, startedAt: number): void {
    this.stop(id);
    const entry = { timer: undefined as NodeJS.Timeout | undefined, stopped: false };
    this.#timers.set(id, entry);
    const next = (): void => {
      let record: ContainerRecord;
      try {
        record = this.target.resolve(id);
      } catch {
        this.stop(id);
        return;
      }
      const config = withDefaults(record.Config.Healthcheck);
      const inStartPeriod = Date.now() - startedAt < config.StartPeriod / 1e6;
      const wait = inStartPeriod && config.StartPeriod > 0 ? config.StartInterval : config.Interval;
      entry.timer = setTimeout(() => void this.#probeOnce(id, startedAt).finally(() => entry.stopped || next()), wait / 1e6);
      entry.timer.unref();
    };
    next();
  }

  async #probeOnce(id: string, startedAt: number): Promise<void> {
    let record: ContainerRecord;
    try {
      record = this.target.resolve(id);
    } catch {
      return;
    }
    const argv = probeCommand(record.Config.Healthcheck?.Test);
    if (argv === undefined || record.State.Status !== 'running') return;
    const config = withDefaults(record.Config.Healthcheck);
    const start = new Date();
    const inStartPeriod = start.getTime() - startedAt < config.StartPeriod / 1e6;
    let result: { exitCode: number; output: string };
    try {
      result = await this.probe(id, argv, config.Timeout / 1e6);
    } catch (err) {
      result = { exitCode: -1, output: err instanceof Error ? err.message : String(err) };
    }
    const live = this.#timers.get(id);
    if (live === undefined || live.stopped || record.State.Status !== 'running') return;
    const health = record.State.Health ?? { Status: 'starting', FailingStreak: 0, Log: [] };
    record.State.Health = recordProbe(health, { ...result, output: result.output.slice(0, MAX_PROBE_OUTPUT), start, end: new Date() }, config.Retries, inStartPeriod);
    await this.target.save(record).catch(() => undefined);
  }
}

function withDefaults(config: HealthConfig | undefined): Required<Omit<HealthConfig, 'Test'>> {
  return {
    Interval: config?.Interval || HEALTH_DEFAULTS.Interval,
    Timeout: config?.Timeout || HEALTH_DEFAULTS.Timeout,
    StartPeriod: config?.StartPeriod || HEALTH_DEFAULTS.StartPeriod,
    StartInterval: config?.StartInterval || HEALTH_DEFAULTS.StartInterval,
    Retries: config?.Retries || HEALTH_DEFAULTS.Retries,
  };
}
