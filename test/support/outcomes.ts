/**
 * Small helpers for checks that expect a failure: catch it as a value, and
 * describe it in a teaching message.
 */

/** The rejection of a promise, or a marker error "(resolved without an error)" when it resolved. */
export async function rejectionOf(promise: Promise<unknown>): Promise<unknown> {
  return promise.then(
    () => new Error('(resolved without an error)'),
    (err: unknown) => err,
  );
}

/** `Name: message` of an error, or the value as a string. */
export function describeError(err: unknown): string {
  return err instanceof Error ? `${err.name}: ${err.message}` : String(err);
}

/** The rejection of a promise, or undefined when it resolved (for checks that expect either). */
export async function failureOf(promise: Promise<unknown>): Promise<unknown> {
  return promise.then(
    () => undefined,
    (err: unknown) => err,
  );
}
