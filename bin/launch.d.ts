/** Types of bin/launch.js, for the TypeScript that imports it (the benchmark). */

/** Runs `<tree>/<entry>`'s `main` with this process's argv and stdio; its result becomes the exit code. */
export function launch(entry: string): Promise<void>;

/** Whether `dist/` holds a current build of `tree`, so bin/ starts from compiled JavaScript. */
export function buildIsCurrent(tree: 'src' | 'solutions'): boolean;
