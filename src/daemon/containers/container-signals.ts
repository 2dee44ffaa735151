/**
 * Signals for containers: `stop` (SIGTERM, then SIGKILL after a grace
 * period), `kill` (any signal) and `restart`, all through the runtime
 * (`runc kill`), and the exit the service reports back.
 *
 * ```
 * stop:  runc kill TERM ──▶ exit within t seconds? ──yes──▶ 204
 *                                               └─no──▶ runc kill KILL ──▶ exit ──▶ 204
 * ```
 */
import { once } from 'node:events';
import os from 'node:os';
import { ConflictError, InvalidParameterError, NotModifiedError } from '../../errdefs.js';
import { NotImplementedError } from '../../errors.js';
import type { ContainerService } from './container-service.js';

/**
 * A `?signal=` value: a name with or without `SIG` (any case) or a number;
 * none means SIGKILL.
 * @throws InvalidParameterError `Invalid signal: <value>`.
 */
export function parseSignal(value: string | null): NodeJS.Signals | number {
  // TODO(lesson-12): Turn a signal name (TERM, SIGTERM, term) or number into what Runc.kill takes; empty means SIGKILL.
  // HINT: os.constants.signals has every name.
  throw new NotImplementedError('lesson-12: parseSignal');
}

/**
 * Stops a running container: SIGTERM, then SIGKILL after `timeout` seconds
 * (default 10, -1 waits forever). Resolves once it has exited.
 * @throws NotModifiedError when it is not running.
 */
export async function stopContainer(service: ContainerService, ref: string, timeout = 10): Promise<void> {
  // TODO(lesson-12): Send SIGTERM, wait up to timeout seconds for the exit, then SIGKILL, and resolve once it exited.
  // HINT: listen for the exit (events.once(service.live(id), "exit")) BEFORE sending the signal, or you may miss it.
  // HINT: SIGKILL to the container's init ends every process in its pid namespace.
  throw new NotImplementedError('lesson-12: stopContainer');
}

/**
 * Sends `signal` (see {@link parseSignal}) to the container's process; for
 * SIGKILL, resolves once it exited.
 * @throws ConflictError when it is not running; InvalidParameterError for an unknown signal.
 */
export async function killContainer(service: ContainerService, ref: string, signal: string | null): Promise<void> {
  // TODO(lesson-12): Send the signal through service.runc.kill; for SIGKILL also wait for the exit.
  // HINT: not running: ConflictError `Container <id> is not running`.
  throw new NotImplementedError('lesson-12: killContainer');
}

/** `restart`: stops the container when it runs (as {@link stopContainer}), then starts it. */
export async function restartContainer(service: ContainerService, ref: string, timeout = 10): Promise<void> {
  // TODO(lesson-12): Stop the container if it runs, then start it.
  throw new NotImplementedError('lesson-12: restartContainer');
}
