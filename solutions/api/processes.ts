/**
 * Provided: the bodies of `GET /containers/{id}/top` and `GET /containers/{id}/stats`
 * (lesson 13), shared by the daemon, the client and the CLI.
 *
 * Field names are docker's on the wire (API 1.41): top's are PascalCase like
 * the rest of the API, stats' are snake_case (`container.StatsResponse`), and
 * a field Go leaves out when it is zero (`omitempty`) is optional here.
 *
 * ```
 * top:   {"Titles": ["UID","PID",…,"CMD"], "Processes": [["root","4242",…,"sleep 1000"]]}
 * stats: {"read", "preread", "pids_stats", "blkio_stats", "num_procs", "storage_stats",
 *         "cpu_stats", "precpu_stats", "memory_stats", "name": "/web", "id"}
 * ```
 */

/** `GET /containers/{id}/top`: ps's header, and the container's rows, one string per column. */
export interface ContainerTopResponse {
  Titles: string[];
  Processes: string[][];
}

/** CFS throttling (`cpu.stat`): periods, throttled periods, throttled time in nanoseconds. */
export interface ThrottlingData {
  periods: number;
  throttled_periods: number;
  throttled_time: number;
}

/** The container's CPU time in nanoseconds. */
export interface CpuUsage {
  total_usage: number;
  /** Per CPU (cgroup v1 only). */
  percpu_usage?: number[];
  usage_in_kernelmode: number;
  usage_in_usermode: number;
}

/** One CPU reading: the container's, and the host's at the same moment. */
export interface CpuStats {
  cpu_usage: CpuUsage;
  /** The host's CPU time in nanoseconds since boot (from /proc/stat); left out when zero. */
  system_cpu_usage?: number;
  /** The host's online CPUs; left out when zero. */
  online_cpus?: number;
  throttling_data: ThrottlingData;
}

/** The container's memory in bytes; every field is left out when zero (a container that does not run). */
export interface MemoryStats {
  usage?: number;
  /** cgroup v1 only. */
  max_usage?: number;
  /** The cgroup's `memory.stat`, by name (`cache`, `rss`, `inactive_file` … on v1; `anon`, `file` … on v2). */
  stats?: Record<string, number>;
  failcnt?: number;
  /** The memory limit; the host's total memory when the container has none. */
  limit?: number;
}

/** One line of a blkio counter: device, operation (`read`, `Write` …), value. */
export interface BlkioStatEntry {
  major: number;
  minor: number;
  op: string;
  value: number;
}

/** Block I/O counters (Go nil slices travel as `null`). */
export interface BlkioStats {
  io_service_bytes_recursive: BlkioStatEntry[] | null;
  io_serviced_recursive: BlkioStatEntry[] | null;
  io_queue_recursive: BlkioStatEntry[] | null;
  io_service_time_recursive: BlkioStatEntry[] | null;
  io_wait_time_recursive: BlkioStatEntry[] | null;
  io_merged_recursive: BlkioStatEntry[] | null;
  io_time_recursive: BlkioStatEntry[] | null;
  sectors_recursive: BlkioStatEntry[] | null;
}

/** Processes in the container's cgroup, and its pids limit (left out when unlimited). */
export interface PidsStats {
  current?: number;
  limit?: number;
}

/** One network interface's counters (minidocker containers have loopback only: none are reported). */
export interface NetworkStats {
  rx_bytes: number;
  rx_packets: number;
  rx_errors: number;
  rx_dropped: number;
  tx_bytes: number;
  tx_packets: number;
  tx_errors: number;
  tx_dropped: number;
}

/**
 * `GET /containers/{id}/stats`: one sample. `precpu_stats` and `preread` are
 * the previous sample's `cpu_stats` and `read` (zeros for the first), so a
 * client computes CPU % from one object. A container that does not run
 * answers zeros: `read` is Go's zero time `0001-01-01T00:00:00Z`.
 */
export interface ContainerStatsResponse {
  /** When the sample was taken, RFC 3339. */
  read: string;
  /** When the previous one was. */
  preread: string;
  pids_stats: PidsStats;
  blkio_stats: BlkioStats;
  /** Windows only: always 0. */
  num_procs: number;
  /** Windows only: always `{}`. */
  storage_stats: Record<string, number>;
  cpu_stats: CpuStats;
  precpu_stats: CpuStats;
  memory_stats: MemoryStats;
  /** With its slash: `/web`. */
  name?: string;
  id?: string;
  networks?: Record<string, NetworkStats>;
}
