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
import type { ContainerService } from './container-service.js';

/**
 * A `?signal=` value: a name with or without `SIG` (any case) or a number;
 * none means SIGKILL.
 * @throws InvalidParameterError `Invalid signal: <value>`.
 */
export function parseSignal(value: string | null): NodeJS.Signals | number {
  if (value === null || value === '') return 'SIGKILL';
  if (/^\d+$/.test(value)) {
    const n = Number(value);
    if (n >= 1 && n <= 64) return n;
  } else {
    const upper = value.toUpperCase();
    const name = (upper.startsWith('SIG') ? upper : `SIG${upper}`) as NodeJS.Signals;
    if (name in os.constants.signals) return name;
  }
  throw new InvalidParameterError(`Invalid signal: ${value}`);
}

/**
 * Stops a running container: SIGTERM, then SIGKILL after `timeout` seconds
 * (default 10, -1 waits forever). Resolves once it has exited.
 * @throws NotModifiedError when it is not running.
 */
export async function stopContainer(service: ContainerService, ref: string, timeout = 10): Promise<void> {
  const record = service.resolve(ref);
  if (!record.State.Running) throw new NotModifiedError(`container ${record.Id} is not running`);
  const exited = once(service.live(record.Id), 'exit');
  await service.runc.kill(record.Id, 'SIGTERM').catch(() => undefined);
  if (timeout >= 0) {
    let timer: NodeJS.Timeout | undefined;
    const late = await Promise.race([exited.then(() => false), new Promise<boolean>((r) => (timer = setTimeout(r, timeout * 1000, true)))]);
    clearTimeout(timer);
    // SIGKILL to the container's init ends its whole pid namespace (`--all` would need cgroups, absent rootless).
    if (late) await service.runc.kill(record.Id, 'SIGKILL').catch(() => undefined);
  }
  await exited;
}

/**
 * Sends `signal` (see {@link parseSignal}) to the container's process; for
 * SIGKILL, resolves once it exited.
 * @throws ConflictError when it is not running; InvalidParameterError for an unknown signal.
 */
export async function killContainer(service: ContainerService, ref: string, signal: string | null): Promise<void> {
  const record = service.resolve(ref);
  const sig = parseSignal(signal);
  if (!record.State.Running) throw new ConflictError(`Container ${record.Id} is not running`);
  const exited = once(service.live(record.Id), 'exit');
  await service.runc.kill(record.Id, sig);
  if (sig === 'SIGKILL' || sig === os.constants.signals.SIGKILL) await exited;
}

/** `restart`: stops the container when it runs (as {@link stopContainer}), then starts it. */
export async function restartContainer(service: ContainerService, ref: string, timeout = 10): Promise<void> {
  const record = service.resolve(ref);
  if (record.State.Running) await stopContainer(service, record.Id, timeout);
  await service.start(record.Id);
}
