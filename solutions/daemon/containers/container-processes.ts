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
  const [header = '', ...lines] = output.split('\n');
  const titles = fields(header);
  const pidIndex = titles.indexOf('PID');
  if (pidIndex < 0) throw new SystemError("Couldn't find PID field in ps output");
  const processes: string[][] = [];
  let keeping = false;
  for (const line of lines) {
    const row = fields(line);
    if (row.length === 0) continue;
    const pid = row[pidIndex] ?? '';
    if (pid !== '-') {
      if (!/^\d+$/.test(pid)) throw new SystemError(`Unexpected pid '${pid}': not a number`);
      keeping = pids.includes(Number(pid));
    }
    if (keeping) processes.push([...row.slice(0, titles.length - 1), row.slice(titles.length - 1).join(' ')]);
  }
  return { Titles: titles, Processes: processes };
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
    const record = this.#target.resolve(ref);
    checkTransition(record.Id, record.State.Status, 'pause');
    if (this.#target.facts.rootless) throw noCgroupToFreeze(record.Id);
    await this.#target.runc.pause(record.Id);
    record.State.Status = 'paused';
    await this.#target.save(record);
  }

  /** `POST /containers/{id}/unpause`: thaws it. @throws ConflictError when it is not paused. */
  async unpause(ref: string): Promise<void> {
    const record = this.#target.resolve(ref);
    checkTransition(record.Id, record.State.Status, 'unpause');
    await this.#target.runc.resume(record.Id);
    record.State.Status = 'running';
    await this.#target.save(record);
  }

  /**
   * `GET /containers/{id}/top?ps_args=`: the host's `ps <psArgs>`, its header
   * and the rows of the container's processes (pids as the host sees them).
   * @throws InvalidParameterError for a renamed PID column; ConflictError when
   *   not running; SystemError when ps fails or prints no PID column.
   */
  async top(ref: string, psArgs = '-ef'): Promise<ContainerTopResponse> {
    const args = psArguments(psArgs);
    const record = this.#target.resolve(ref);
    checkTransition(record.Id, record.State.Status, 'top');
    const pids = this.#target.facts.rootless ? await descendantPids(record.State.Pid) : await this.#target.runc.ps(record.Id);
    return parsePsOutput(await runPs(args, pids), pids);
  }

  /**
   * `GET /containers/{id}/stats`: one sample of the container's cgroup, the
   * host's CPU time beside it; `previous` (the last sample sent) gives
   * `preread` and `precpu_stats`, zeros without one. A container that does
   * not run, or has no cgroup (rootless), answers docker's zeros.
   */
  async stats(ref: string, previous?: ContainerStatsResponse): Promise<ContainerStatsResponse> {
    const record = this.#target.resolve(ref);
    const cgroup = record.State.Running ? await cgroupsPathOf(path.join(this.#target.dir(record.Id), 'bundle')) : undefined;
    const zeros = emptyStats(record.Name, record.Id);
    const [counters, system] = cgroup === undefined ? [] : await Promise.all([readCgroupStats(cgroup), readSystemCpu()]);
    return {
      read: counters === undefined ? zeros.read : rfc3339Nano(),
      preread: previous?.read ?? zeros.preread,
      pids_stats: counters?.pids_stats ?? zeros.pids_stats,
      blkio_stats: counters?.blkio_stats ?? zeros.blkio_stats,
      num_procs: 0,
      storage_stats: {},
      cpu_stats: counters === undefined ? zeros.cpu_stats : { cpu_usage: counters.cpu_usage, ...system, throttling_data: counters.throttling_data },
      precpu_stats: previous?.cpu_stats ?? zeros.precpu_stats,
      memory_stats: counters?.memory_stats ?? zeros.memory_stats,
      name: record.Name,
      id: record.Id,
    };
  }
}

// Go's strings.FieldsFunc on ASCII white space, as dockerd splits ps output.
function fields(line: string): string[] {
  return line.split(/[\t\n\f\r ]+/).filter((field) => field !== '');
}
