/**
 * Provided: the wire types of docker's exec endpoints (lesson 13), shared by
 * the client, the CLI and the daemon, as api/types.ts holds the others.
 *
 * ```
 * POST /containers/{id}/exec   ExecCreateRequest  → 201 ExecCreateResponse
 * POST /exec/{id}/start        ExecStartRequest   → 101 (Upgrade) or 200: the raw stream; 200 empty with Detach
 * GET  /exec/{id}/json                            → 200 ExecInspect
 * POST /exec/{id}/resize?h=&w=                    → 200
 * ```
 * Field names are docker's, as they travel on the wire (api/types/container
 * `ExecOptions`, `ExecStartOptions`, and backend `ExecInspect`); note the
 * lower-case fields of `ProcessConfig`.
 */

/** Body of `POST /containers/{id}/exec`: what `docker exec` sends. */
export interface ExecCreateRequest {
  /** `-u`: user[:group], a name or a number; '' runs as the container's user. */
  User?: string;
  /** `--privileged`: refused by minidockerd. */
  Privileged?: boolean;
  /** `-t`: a terminal; the output then comes raw, stdout and stderr merged. */
  Tty?: boolean;
  /** The terminal's size, `[rows, columns]` (`-t` on a terminal). */
  ConsoleSize?: [number, number] | null;
  /** `-i`: the client's bytes go to the process's stdin. */
  AttachStdin?: boolean;
  AttachStdout?: boolean;
  AttachStderr?: boolean;
  /** `-d` (the start request decides; kept for the CLI's sake). */
  Detach?: boolean;
  /** `--detach-keys`, e.g. `ctrl-p,ctrl-q` (the default when ''). */
  DetachKeys?: string;
  /** `-e KEY=VALUE`: over the container's environment. */
  Env?: string[] | null;
  /** `-w`: '' means the container's working directory. */
  WorkingDir?: string;
  /** The command and its arguments; required. */
  Cmd: string[];
}

/** Reply of `POST /containers/{id}/exec`. */
export interface ExecCreateResponse {
  /** The exec instance's id: 64 hex digits. */
  Id: string;
}

/** Body of `POST /exec/{id}/start`. */
export interface ExecStartRequest {
  /** Start and answer 200 at once, with no stream: the process runs on. */
  Detach?: boolean;
  /** The stream is the terminal's raw bytes (true) or multiplexed frames (false). */
  Tty?: boolean;
  /** `[rows, columns]`, over the create request's. */
  ConsoleSize?: [number, number] | null;
}

/** `ProcessConfig` of an exec's inspect: lower-case, as docker sends it. */
export interface ExecProcessConfig {
  tty: boolean;
  /** Cmd[0]. */
  entrypoint: string;
  /** The rest of Cmd. */
  arguments: string[];
  privileged?: boolean;
  /** Only when the create request named one. */
  user?: string;
}

/** `GET /exec/{id}/json`. */
export interface ExecInspect {
  ID: string;
  Running: boolean;
  /** null until the process ended; clients read it right after the stream closes. */
  ExitCode: number | null;
  ProcessConfig: ExecProcessConfig;
  OpenStdin: boolean;
  OpenStderr: boolean;
  OpenStdout: boolean;
  CanRemove: boolean;
  ContainerID: string;
  /** The detach keys' bytes, base64 (Go's []byte): '' when none were given. */
  DetachKeys: string;
  /** The process on the host while it runs, else 0. */
  Pid: number;
}
