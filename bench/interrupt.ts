/**
 * What an interrupted bench (Ctrl-C) must undo before main removes the work
 * folder: a fixture whose daemon, containers and mounts live under that
 * folder registers a hook here, and main's SIGINT listener runs the hooks,
 * newest first, then removes the folder and exits.
 *
 * The hooks are asynchronous on purpose. Under tsx the bench runs in a child
 * process, and tsx's parent, when it gets the SIGINT too (Ctrl-C signals the
 * whole process group), waits 30 ms for the child to report its own, then
 * sends it another and, 30 ms later, SIGKILL: a child whose event loop is
 * blocked (spawnSync of runc, umount) cannot report it, and dies half-way
 * through its cleanup. An exit hook has no such parent to answer, and may
 * stay synchronous.
 */

const hooks = new Set<() => Promise<void>>();

/**
 * Adds `hook` to what main's SIGINT listener runs before it removes the work folder.
 * @returns a function that takes it off again (the fixture's own teardown ran).
 */
export function onInterrupt(hook: () => Promise<void>): () => void {
  hooks.add(hook);
  return () => void hooks.delete(hook);
}

/** Runs every hook once, newest first; a hook that fails does not stop the others. */
export async function runInterruptHooks(): Promise<void> {
  for (const hook of [...hooks].reverse()) {
    hooks.delete(hook);
    await hook().catch((err: unknown) => process.stderr.write(`bench: an interrupt hook failed: ${(err as Error).message}\n`));
  }
}
