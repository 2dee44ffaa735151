/**
 * The interactive menu of `npm start`: a thin layer of prompts over the same
 * actions the subcommands run.
 */
import enquirer from 'enquirer';
import { checkAction, diffAction, hintAction, infoAction, lessonStatuses, resetAction, watchAction } from './actions.js';
import type { Ctx } from './context.js';
import { readHints } from './hints.js';
import { lessonName, type Lesson } from './lessons.js';
import { formatStatusLines } from './reporter.js';
import { loadState } from './state.js';

/** Asks one select question; undefined when the learner pressed Ctrl-C or Esc. */
async function select(message: string, choices: Array<{ name: string; message: string }>, initial = 0): Promise<string | undefined> {
  try {
    // Our own ▸ marks the first unfinished lesson, so the cursor gets a different symbol.
    const question = { type: 'select' as const, name: 'choice', message, choices, initial, pointer: '❯' };
    const answer = await enquirer.prompt<{ choice: string }>(question);
    return answer.choice;
  } catch {
    return undefined;
  }
}

/** Runs the menu until the learner quits. */
export async function runMenu(ctx: Ctx): Promise<number> {
  const c = ctx.chalk;
  for (;;) {
    const summaries = await lessonStatuses(ctx);
    if (!summaries) return 1;
    ctx.out.write(`\n${c.bold('dockerlings')} ${c.dim('— build a mini Docker, one lesson at a time')}\n\n`);
    if (summaries.length === 0) {
      ctx.out.write('No lessons found under lessons/.\n');
      return 0;
    }
    const lines = formatStatusLines(summaries, c);
    const choices = summaries.map((s, i) => ({ name: s.lesson.id, message: lines[i] ?? s.lesson.id }));
    const firstIndex = Math.max(0, summaries.findIndex((s) => s.first));
    const picked = await select('Pick a lesson', [...choices, { name: 'quit', message: 'Quit' }], firstIndex);
    const lesson = summaries.find((s) => s.lesson.id === picked)?.lesson;
    if (!lesson) return 0;
    await lessonMenu(ctx, lesson);
  }
}

async function lessonMenu(ctx: Ctx, lesson: Lesson): Promise<void> {
  let last = 0;
  for (;;) {
    const total = readHints(ctx.root, lesson).length;
    const revealed = Math.min(loadState(ctx.root).hints[lesson.id] ?? 0, total);
    const actions = [
      { name: 'check', message: 'Check now' },
      { name: 'hint', message: `Reveal next hint (${revealed}/${total} revealed)` },
      { name: 'info', message: 'Where is the README / which files' },
      { name: 'watch', message: 'Watch (re-check on every save)' },
      { name: 'reset', message: 'Reset to stub' },
      { name: 'diff', message: 'Show the reference diff' },
      { name: 'back', message: 'Back' },
    ];
    const action = await select(`Lesson ${lesson.id} — ${lessonName(lesson)}`, actions, last);
    if (action === undefined || action === 'back') return;
    last = Math.max(0, actions.findIndex((a) => a.name === action));
    ctx.out.write('\n');
    try {
      await runLessonAction(ctx, lesson, action);
    } catch (err) {
      ctx.err.write(`${ctx.chalk.red('error:')} ${(err as Error).message}\n`);
    }
    ctx.out.write('\n');
  }
}

async function runLessonAction(ctx: Ctx, lesson: Lesson, action: string): Promise<void> {
  switch (action) {
    case 'check':
      await checkAction(ctx, lesson.id);
      return;
    case 'hint':
      hintAction(ctx, lesson.id);
      return;
    case 'info':
      infoAction(ctx, lesson.id);
      return;
    case 'watch': {
      const stop = new AbortController();
      const onSigint = (): void => stop.abort();
      process.once('SIGINT', onSigint);
      try {
        await watchAction(ctx, lesson.id, stop.signal);
      } finally {
        process.off('SIGINT', onSigint);
      }
      return;
    }
    case 'reset':
      await resetAction(ctx, lesson.id, false);
      return;
    case 'diff':
      await diffAction(ctx, lesson.id, false);
      return;
  }
}
