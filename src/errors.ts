/**
 * Provided: the placeholder error of the stubs; it disappears as you write them.
 *
 * The error every stub throws until the learner fills it in.
 *
 * The message names the lesson and the function, e.g.
 * `lesson-04: BlobStore.put is not implemented yet`, so a failing check
 * points straight at the code to write.
 */
export class NotImplementedError extends Error {
  /** `lesson-NN: Symbol.name` — the lesson and the function still to write. */
  readonly what: string;

  constructor(what: string) {
    super(`${what} is not implemented yet`);
    this.name = 'NotImplementedError';
    this.what = what;
  }
}
