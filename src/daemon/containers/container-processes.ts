/**
 * What runs inside a running container, seen from the host: pause and
 * unpause (the cgroup freezer, through runc), top (the container's pids, as
 * the host's `ps` describes them) and stats (its cgroup's counters, in
 * docker's `StatsResponse`).
 *
 * ```
 * pause   ─▶ checkTransition ─▶ runc pause <id>  ─▶ State.Status 'paused' (Running stays true) ─▶ saved
 * unpause ─▶ checkTransition ─▶ runc resume <id> ─▶ 'running' ─▶ saved
 * top     ─▶ checkTransition ─▶ runc ps <id>: host pids ─▶ ps <ps_args> -q<pids> ─▶ parsePsOutput: header + their rows
 * stats   ─▶ bundle/config.json: its cgroup ─▶ readCgroupStats + readSystemCpu ─▶ a sample; precpu = the previous one's cpu
 * ```
 * A rootless daemon's containers have no cgroup: nothing to freeze (pause is
 * a 500 that says so), no `runc ps` (top walks the init's descendants
 * instead), and stats are zeros, as docker's are.
 */
import path from 'node:path';
import type { ContainerStatsResponse, ContainerTopResponse } from '../../api/processes.js';
import { SystemError } from '../../errdefs.js';
import { NotImplementedError } from '../../errors.js';
import type { ProcessesBackend, ProcessesTarget } from '../backends.js';
import { cgroupsPathOf, emptyStats, readCgroupStats, readSystemCpu } from '../system/cgroup-stats.js';
import { descendantPids, noCgroupToFreeze, psArguments, runPs } from '../system/host-processes.js';
import { checkTransition } from './container-state.js';
import { rfc3339Nano } from './container-store.js';

/**
 * Turns `ps` output into docker's top body, as dockerd's `parsePSOutput`: the
 * header's words are the Titles; a row is kept when its PID column holds one
 * of `pids`, split into at most Titles.length fields (the last column, the
 * command, keeps its spaces). A row whose PID is `-` (a thread, with `ps m`)
 * is kept when the process row before it was.
 * @throws SystemError `Couldn't find PID field in ps output` when no title is `PID`.
 */
export function parsePsOutput(output: string, pids: number[]): ContainerTopResponse {
  // TODO(lesson-13): Keep ps's header as Titles and the rows of `pids` (by the PID column), each cut into Titles.length fields.
  // HINT: split lines on ASCII white space with fields(line); no title "PID": throw SystemError("Couldn't find PID field in ps output").
  // HINT: the last column (CMD, COMMAND) holds spaces: join every field from Titles.length - 1 on with ' ' into the last one.
  // HINT: a row whose PID is "-" is a thread (ps m): keep it when the process row before it was kept.
  throw new NotImplementedError('lesson-13: parsePsOutput');
}

/** Lesson 13's processes of a container, on the containers service (compose.ts builds the target). */
export class ContainerProcesses implements ProcessesBackend {
  readonly #target: ProcessesTarget;

  constructor(target: ProcessesTarget) {
    this.#target = target;
  }

  /**
   * `POST /containers/{id}/pause`: freezes every process of the container.
   * @throws ConflictError when it is not running or already paused;
   *   SystemError (500) for a rootless daemon's container, which has no cgroup to freeze.
   */
  async pause(ref: string): Promise<void> {
    // TODO(lesson-13): checkTransition 'pause', freeze it with this.#target.runc.pause(id), then save Status 'paused'.
    // HINT: Running stays true: a paused container still runs, frozen. A rootless daemon (this.#target.facts.rootless)
    // HINT: has no cgroup to freeze: throw noCgroupToFreeze(id) before asking runc. Save with this.#target.save(record).
    throw new NotImplementedError('lesson-13: ContainerProcesses.pause');
  }

  /** `POST /containers/{id}/unpause`: thaws it. @throws ConflictError when it is not paused. */
  async unpause(ref: string): Promise<void> {
    // TODO(lesson-13): checkTransition 'unpause', thaw it with this.#target.runc.resume(id), then save Status 'running'.
    throw new NotImplementedError('lesson-13: ContainerProcesses.unpause');
  }

  /**
   * `GET /containers/{id}/top?ps_args=`: the host's `ps <psArgs>`, its header
   * and the rows of the container's processes (pids as the host sees them).
   * @throws InvalidParameterError for a renamed PID column; ConflictError when
   *   not running; SystemError when ps fails or prints no PID column.
   */
  async top(ref: string, psArgs = '-ef'): Promise<ContainerTopResponse> {
    // TODO(lesson-13): checkTransition 'top', list the container's host pids, run ps with psArguments(psArgs) and parse its output.
    // HINT: pids: this.#target.runc.ps(id) reads the container's cgroup; rootless there is none: descendantPids(record.State.Pid).
    // HINT: runPs(args, pids) runs the host's ps as dockerd does; parsePsOutput(output, pids) keeps the container's rows.
    throw new NotImplementedError('lesson-13: ContainerProcesses.top');
  }

  /**
   * `GET /containers/{id}/stats`: one sample of the container's cgroup, the
   * host's CPU time beside it; `previous` (the last sample sent) gives
   * `preread` and `precpu_stats`, zeros without one. A container that does
   * not run, or has no cgroup (rootless), answers docker's zeros.
   */
  async stats(ref: string, previous?: ContainerStatsResponse): Promise<ContainerStatsResponse> {
    // TODO(lesson-13): One sample: the cgroup's counters (readCgroupStats) and the host's CPU (readSystemCpu), in docker's fields.
    // HINT: the cgroup is cgroupsPathOf(path.join(this.#target.dir(id), 'bundle')), read only while State.Running; none
    // HINT: (exited, or rootless) answers emptyStats(record.Name, record.Id): zeros, read '0001-01-01T00:00:00Z'.
    // HINT: read: rfc3339Nano(); cpu_stats: {cpu_usage, system_cpu_usage, online_cpus, throttling_data}; num_procs 0, storage_stats {}.
    // HINT: preread and precpu_stats are previous's read and cpu_stats (also for zeros): a client's CPU % compares the two.
    throw new NotImplementedError('lesson-13: ContainerProcesses.stats');
  }
}

// Go's strings.FieldsFunc on ASCII white space, as dockerd splits ps output.
function fields(line: string): string[] {
  return line.split(/[\t\n\f\r ]+/).filter((field) => field !== '');
}
