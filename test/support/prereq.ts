/**
 * Prerequisites of interop checks (the docker CLI, skopeo, runc …).
 *
 * Outside CI a missing tool skips the check with a one-line reason; with
 * `CI=true` the check runs and fails, so CI can never pass by skipping.
 */
import { execFileSync } from 'node:child_process';
import { inCI } from '../../fixtures/ci.js';
import { findInit } from '../../solutions/runtime/defaults.js';

/** The absolute path of an executable on PATH, or undefined. */
export function which(tool: string): string | undefined {
  try {
    return execFileSync('sh', ['-c', `command -v ${tool}`], { encoding: 'utf8' }).trim() || undefined;
  } catch {
    return undefined;
  }
}

/** What a check needs to know about one tool. */
export interface Prerequisite {
  /** The tool's path when installed. */
  path: string | undefined;
  /** True when the check should be skipped: missing and not in CI. */
  skip: boolean;
  /** The one-line reason shown for a skip, and the failure message in CI. */
  reason: string;
}

/**
 * Looks a tool up once, for `it.skipIf(tool.skip)` plus `requireTool(tool)` inside the check.
 * @param install how to get it, e.g. `apt-get install skopeo`.
 */
export function prerequisite(tool: string, install: string): Prerequisite {
  const found = which(tool);
  return {
    path: found,
    skip: found === undefined && !inCI,
    reason: `${tool} is not installed (${install}); this interop check is skipped`,
  };
}

/**
 * A static docker-init for `--init` checks, found as the daemon finds one
 * (`findInit`: docker-init on PATH, /usr/bin/tini-static, /usr/bin/docker-init);
 * use it as {@link prerequisite}'s result.
 */
export function initPrerequisite(): Prerequisite {
  const found = findInit();
  return {
    path: found,
    skip: found === undefined && !inCI,
    reason: 'docker-init is not installed (apt-get install tini, for its static /usr/bin/tini-static); this check is skipped',
  };
}

/**
 * Returns the tool's path, or throws the prerequisite's reason: in CI a
 * missing tool is a failure, not a skip.
 */
export function requireTool(p: Prerequisite): string {
  if (p.path === undefined) throw new Error(`${p.reason.replace(/; this.*$/, '')}: CI requires it`);
  return p.path;
}
