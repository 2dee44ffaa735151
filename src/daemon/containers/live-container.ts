/**
 * Provided: what the daemon holds in memory for a container while it lives —
 * its task and its log — and the events the routes listen to (attach and
 * logs follow the output, wait the exit).
 */
import { EventEmitter } from 'node:events';
import type { JsonFileLog } from '../../runtime/json-log.js';
import type { Task } from '../../runtime/task.js';

/**
 * What the daemon holds for one container while it lives. Events:
 * `output` (stream, chunk) for every chunk the container writes, `start`
 * (task), `exit` (exit code: the record is saved by then), `removed`.
 */
export class LiveContainer extends EventEmitter {
  task: Task | undefined;
  log: JsonFileLog | undefined;

  constructor() {
    super();
    this.setMaxListeners(0);
  }
}
