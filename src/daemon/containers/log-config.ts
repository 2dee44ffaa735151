/**
 * Provided: docker's log drivers as this daemon has them. Checking a driver
 * name and its options is bookkeeping; lesson 11 teaches the log itself
 * (runtime/json-log.ts) and its rotation, lesson 12 where the container's
 * output goes.
 *
 * ```
 * --log-driver json-file (default)   container-json.log, rotated by max-size / max-file
 * --log-driver local                 the same file, rotated by default (20 MB × 5, as docker's local)
 * --log-driver none                  nothing kept: `docker logs` answers 501
 * --log-driver syslog                400 logger: no log driver named 'syslog' is registered
 * ```
 */
import { InvalidParameterError, UnimplementedError } from '../../errdefs.js';
import type { LogRotation } from '../../runtime/json-log.js';
import { fromHumanSize } from '../../units.js';

/** `HostConfig.LogConfig`: the driver and its `--log-opt`s. */
export interface LogConfig {
  Type: string;
  Config: Record<string, string>;
}

/** The drivers this daemon has, as `/info` lists them under Plugins.Log. */
export const LOG_DRIVERS: readonly string[] = ['json-file', 'local', 'none'];

/** What docker answers for the logs of a container whose driver keeps none. */
export const LOGS_NOT_READABLE = 'configured logging driver does not support reading';

// docker's local driver keeps 5 files of 20 MB unless told otherwise.
const LOCAL_DEFAULTS = { maxSize: 20 * 1024 * 1024, maxFiles: 5 };

// Options each driver knows (moby's validators), and which of them this daemon honours.
const KNOWN: Readonly<Record<string, readonly string[]>> = {
  'json-file': ['max-size', 'max-file', 'compress', 'labels', 'labels-regex', 'env', 'env-regex', 'tag'],
  local: ['max-size', 'max-file', 'compress'],
  none: [],
};
const HONOURED = new Set(['max-size', 'max-file', 'compress', 'mode']);

/**
 * A create request's LogConfig, checked: the driver defaults to json-file,
 * an unknown driver or option is refused in docker's words, and an option
 * docker knows but this daemon does not honour is refused too.
 * @throws InvalidParameterError
 */
export function logConfigOf(given: { Type?: string; Config?: Record<string, string> } | undefined): LogConfig {
  const config: LogConfig = { Type: given?.Type || 'json-file', Config: { ...(given?.Config ?? {}) } };
  const known = KNOWN[config.Type];
  if (known === undefined) throw new InvalidParameterError(`logger: no log driver named '${config.Type}' is registered`);
  for (const key of Object.keys(config.Config)) {
    if (key === 'mode' || key === 'max-buffer-size') continue;
    if (!known.includes(key)) {
      if (config.Type === 'none') throw new InvalidParameterError(`log opt '${key}': the none log driver keeps no log and takes no options`);
      throw new InvalidParameterError(config.Type === 'local' ? `unknown log opt '${key}' for log driver local` : `unknown log opt '${key}' for json-file log driver`);
    }
    if (!HONOURED.has(key)) throw new InvalidParameterError(`log opt '${key}' is not supported by minidockerd: lines are written without extra attributes`);
  }
  const mode = config.Config.mode ?? '';
  if (!['', 'blocking'].includes(mode) || 'max-buffer-size' in config.Config) {
    throw new InvalidParameterError(`log opt mode=${mode || 'blocking'} with max-buffer-size is not supported by minidockerd: the log is always written as the output comes (blocking)`);
  }
  rotationOf(config); // checks the values
  return config;
}

/**
 * How the log of a container is rotated: json-file only when `max-size` is
 * given, local always. Undefined for a log that grows without limit.
 * @throws InvalidParameterError for values docker refuses.
 */
export function rotationOf(config: LogConfig): LogRotation | undefined {
  const opts = config.Config;
  const local = config.Type === 'local';
  let maxSize = local ? LOCAL_DEFAULTS.maxSize : undefined;
  if (opts['max-size'] !== undefined) {
    maxSize = fromHumanSize(opts['max-size']);
    if (maxSize === undefined) throw new InvalidParameterError(`invalid size: '${opts['max-size']}'`);
    if (maxSize <= 0) throw new InvalidParameterError('max-size must be a positive number');
  }
  let maxFiles = local ? LOCAL_DEFAULTS.maxFiles : 1;
  if (opts['max-file'] !== undefined) {
    if (!/^-?\d+$/.test(opts['max-file'])) throw new InvalidParameterError(`strconv.Atoi: parsing "${opts['max-file']}": invalid syntax`);
    maxFiles = Number(opts['max-file']);
    if (maxFiles < 1) throw new InvalidParameterError('max-file cannot be less than 1');
    if (maxSize === undefined && maxFiles > 1) throw new InvalidParameterError('max-file needs max-size: without a size limit the log is never rotated');
  }
  const compress = opts.compress;
  if (compress !== undefined) {
    if (!['1', 't', 'T', 'true', 'TRUE', 'True', '0', 'f', 'F', 'false', 'FALSE', 'False'].includes(compress)) {
      throw new InvalidParameterError(`strconv.ParseBool: parsing "${compress}": invalid syntax`);
    }
    if (['1', 't', 'T', 'true', 'TRUE', 'True'].includes(compress)) {
      throw new InvalidParameterError('log opt compress=true is not supported by minidockerd: rotated files are kept uncompressed');
    }
  }
  return maxSize === undefined ? undefined : { maxSize, maxFiles };
}

/**
 * Checks that a container's logs can be read.
 * @throws UnimplementedError (501) {@link LOGS_NOT_READABLE} for the none driver.
 */
export function checkLogsReadable(config: LogConfig | undefined): void {
  if (config?.Type === 'none') throw new UnimplementedError(LOGS_NOT_READABLE);
}
