/**
 * Provided: the one place that knows which operation a container allows in
 * which state. Every operation of the containers service asks {@link checkTransition}
 * first; an operation the state does not allow is a typed error that the
 * daemon answers as docker does (409 Conflict, or 304 Not Modified where
 * there is nothing to do), with docker's wording.
 *
 * ```
 *            start                 exit (process ended: stop, kill, or on its own)
 * created ─────────▶ running ─────────────────────────▶ exited
 *    │                 ▲  │                                │
 *    │                 └──┼──────────── start ─────────────┘
 *    │                    │ kill, stop, restart, resize, attach
 *    │ remove             │ remove needs force (the process is killed first)
 *    ▼                    ▼
 * removing ◀──────────────────────────── remove ◀──── exited
 *    │
 *    ▼ (record deleted)
 * ```
 * `paused` (lesson 13) sits beside `running`: its process exists but is frozen
 * (`Running` stays true). pause and unpause move between the two; exec and top
 * want a running container; stop, kill, restart and a forced remove also take
 * a paused one (the service thaws it so the signal lands).
 */
import { ConflictError, NotModifiedError } from '../../errdefs.js';
import type { EngineError } from '../../errdefs.js';
import type { ContainerStatus } from './container-store.js';

/** What can be asked of a container. */
export type ContainerOperation =
  | 'start' | 'stop' | 'kill' | 'restart' | 'resize' | 'attach' | 'remove' | 'force-remove' | 'pause' | 'unpause' | 'exec' | 'top';

/** How a refused operation is answered, for a container id. */
type Refusal = (id: string) => EngineError;

const notRunning: Refusal = (id) => new ConflictError(`Container ${id} is not running`);
const removing: Refusal = (id) => new ConflictError(`container ${id} is marked for removal and cannot be started`);
const inRemoval: Refusal = (id) => new ConflictError(`removal of container ${id} is already in progress`);
const paused: Refusal = (id) => new ConflictError(`Container ${id} is paused, unpause the container before exec`);

/**
 * The table: for each operation, the states that allow it, and the answer in
 * every other state. Read a row as "kill: only a running container; any other
 * answers 409 `Container <id> is not running`".
 */
const TRANSITIONS: Record<ContainerOperation, { from: readonly ContainerStatus[]; refuse: Partial<Record<ContainerStatus, Refusal>>; otherwise: Refusal }> = {
  start: {
    from: ['created', 'exited'],
    refuse: {
      running: (id) => new NotModifiedError(`container ${id} is already running`),
      paused: () => new ConflictError('cannot start a paused container, try unpause instead'),
      removing,
    },
    otherwise: removing,
  },
  stop: { from: ['running', 'paused'], refuse: {}, otherwise: (id) => new NotModifiedError(`container ${id} is not running`) },
  kill: { from: ['running', 'paused'], refuse: {}, otherwise: notRunning },
  restart: { from: ['created', 'running', 'paused', 'exited'], refuse: {}, otherwise: removing },
  resize: { from: ['running', 'paused'], refuse: {}, otherwise: notRunning },
  attach: {
    from: ['created', 'running', 'paused'],
    refuse: { exited: () => new ConflictError('You cannot attach to a stopped container, start it first') },
    otherwise: inRemoval,
  },
  remove: {
    from: ['created', 'exited', 'removing'],
    refuse: {
      running: (id) =>
        new ConflictError(`You cannot remove a running container ${id}. Stop the container before attempting removal or force remove`),
      paused: (id) =>
        new ConflictError(`You cannot remove a paused container ${id}. Unpause and then stop the container before attempting removal or force remove`),
    },
    otherwise: inRemoval,
  },
  'force-remove': { from: ['created', 'running', 'paused', 'exited', 'removing'], refuse: {}, otherwise: inRemoval },
  pause: { from: ['running'], refuse: { paused: (id) => new ConflictError(`Container ${id} is already paused`) }, otherwise: notRunning },
  unpause: { from: ['paused'], refuse: {}, otherwise: (id) => new ConflictError(`Container ${id} is not paused`) },
  exec: { from: ['running'], refuse: { paused }, otherwise: notRunning },
  top: { from: ['running', 'paused'], refuse: {}, otherwise: notRunning },
};

/** Whether `operation` is allowed in `status`. */
export function canTransition(status: ContainerStatus, operation: ContainerOperation): boolean {
  return TRANSITIONS[operation].from.includes(status);
}

/**
 * Checks that container `id`, in `status`, allows `operation`.
 * @throws ConflictError (409) or NotModifiedError (304) with docker's message when it does not.
 */
export function checkTransition(id: string, status: ContainerStatus, operation: ContainerOperation): void {
  if (canTransition(status, operation)) return;
  const row = TRANSITIONS[operation];
  throw (row.refuse[status] ?? row.otherwise)(id);
}
