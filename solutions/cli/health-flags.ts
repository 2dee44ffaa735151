/**
 * Provided: `minidocker run`'s health-check flags, read as the docker CLI
 * reads them. Parsing Go durations teaches nothing about containers; the
 * daemon side (lesson 13's health.ts) is where health checks are learnt.
 *
 * ```
 * --health-cmd 'curl -f x' --health-interval 1s   ─▶ Healthcheck {Test: ["CMD-SHELL", "curl -f x"], Interval: 1e9}
 * --no-healthcheck                                ─▶ Healthcheck {Test: ["NONE"]}
 * ```
 */
import { InvalidArgumentError } from 'commander';
import type { HealthConfig } from '../image/types.js';

/** The health-check flags of `run`, as commander hands them over. */
export interface HealthFlags {
  healthCmd?: string;
  /** Go durations: `30s`, `1m30s`, `500ms`. */
  healthInterval?: string;
  healthTimeout?: string;
  healthStartPeriod?: string;
  healthStartInterval?: string;
  healthRetries?: string;
  /** `--no-healthcheck`: commander's negated flag gives `healthcheck: false`. */
  healthcheck?: boolean;
}

const UNITS: Record<string, number> = { ns: 1, us: 1e3, µs: 1e3, ms: 1e6, s: 1e9, m: 60e9, h: 3600e9 };

/**
 * A Go duration (`time.ParseDuration`) in nanoseconds: `1s`, `1.5s`, `1m30s`, `250ms`, `0`.
 * @throws InvalidArgumentError for anything else, worded as Go's.
 */
export function parseGoDuration(text: string): number {
  if (text === '0') return 0;
  const parts = [...text.matchAll(/(\d+(?:\.\d*)?|\.\d+)(ns|us|µs|ms|s|m|h)/g)];
  if (parts.length === 0 || parts.map((p) => p[0]).join('') !== text) throw new InvalidArgumentError(`time: invalid duration "${text}"`);
  return Math.round(parts.reduce((sum, [, value, unit]) => sum + Number(value) * (UNITS[unit ?? 's'] ?? 0), 0));
}

/**
 * The create request's Healthcheck for the flags, as docker's CLI builds it:
 * undefined when no flag was given (the image's health check applies).
 * @throws InvalidArgumentError `--no-healthcheck conflicts with --health-* options`,
 *   and for negative durations or retries.
 */
export function healthcheckOf(flags: HealthFlags): HealthConfig | undefined {
  const timing = {
    Interval: flags.healthInterval === undefined ? 0 : parseGoDuration(flags.healthInterval),
    Timeout: flags.healthTimeout === undefined ? 0 : parseGoDuration(flags.healthTimeout),
    StartPeriod: flags.healthStartPeriod === undefined ? 0 : parseGoDuration(flags.healthStartPeriod),
    StartInterval: flags.healthStartInterval === undefined ? 0 : parseGoDuration(flags.healthStartInterval),
    Retries: flags.healthRetries === undefined ? 0 : Number(flags.healthRetries),
  };
  if (!Number.isInteger(timing.Retries) || timing.Retries < 0) throw new InvalidArgumentError('--health-retries cannot be negative');
  const anyTiming = Object.values(timing).some((value) => value !== 0);
  if (flags.healthcheck === false) {
    if (flags.healthCmd !== undefined || anyTiming) throw new InvalidArgumentError('--no-healthcheck conflicts with --health-* options');
    return { Test: ['NONE'] };
  }
  if (flags.healthCmd === undefined && !anyTiming) return undefined;
  return { ...(flags.healthCmd !== undefined ? { Test: ['CMD-SHELL', flags.healthCmd] } : {}), ...timing };
}
