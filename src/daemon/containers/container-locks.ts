/**
 * Provided: one holder per container at a time, for what must not overlap on
 * its root filesystem: an archive operation (archive-service.ts), which may
 * mount a stopped container's overlay for its duration, and a start, whose
 * shim mounts the overlay unless it finds it mounted already. Unlocked, a
 * start could take the archive's mount as its own and see it unmounted from
 * under its runtime, or mount a second overlay on the same upper directory.
 *
 * ```
 * archive GET  ──acquire(id)──[mount, read, tar streamed, umount]──release
 * start        ───────────────────────acquire(id)···waits···──[mount, runc run]──release
 * ```
 */

/** Per-container mutual exclusion, first come first served. */
export class ContainerLocks {
  readonly #tails = new Map<string, Promise<void>>();

  /** Waits until nobody holds container `id`, then holds it. @returns the function that lets go (call it once). */
  async acquire(id: string): Promise<() => void> {
    const before = this.#tails.get(id) ?? Promise.resolve();
    let release = (): void => undefined;
    const mine = new Promise<void>((resolve) => (release = resolve));
    const tail = before.then(() => mine);
    this.#tails.set(id, tail);
    await before;
    return () => {
      release();
      if (this.#tails.get(id) === tail) this.#tails.delete(id);
    };
  }

  /** Runs `fn` while holding container `id`. */
  async run<T>(id: string, fn: () => Promise<T>): Promise<T> {
    const release = await this.acquire(id);
    try {
      return await fn();
    } finally {
      release();
    }
  }
}
