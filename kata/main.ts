/**
 * The workshop tool: `npm start` (menu), `npm test` (progress report),
 * `npm run grade` (autograder report) and the subcommands behind them.
 *
 * `npm start -- <subcommand>` works without a terminal too; the repository
 * root can be pointed elsewhere with `--root DIR` or `DOCKERLINGS_ROOT`.
 */
import { Command } from 'commander';
import path from 'node:path';
import {
  checkAction,
  diffAction,
  gradeAction,
  hintAction,
  infoAction,
  listAction,
  resetAction,
  snapshotStubsAction,
  testAction,
  verifyStubsAction,
  watchAction,
} from './actions.js';
import { processCtx, type Ctx } from './context.js';
import { doctorAction, doctorBeforeStart } from './doctor-loader.js';
import { IMPL_ENV, repoRoot, selectedImpl } from './impl-switch.js';
import { runMenu } from './menu.js';

const SUBCOMMANDS = 'list, test [NN…], check NN, hint NN, info NN, watch NN, reset NN, diff NN, grade, doctor';

interface GlobalOptions {
  root?: string;
  doctor: boolean;
}

function contextOf(program: Command, reference = false): Ctx {
  const opts = program.opts<GlobalOptions>();
  if (reference) process.env[IMPL_ENV] = 'reference';
  const root = path.resolve(opts.root ?? process.env.DOCKERLINGS_ROOT ?? repoRoot);
  return processCtx(root, selectedImpl());
}

function done(code: number): void {
  process.exitCode = code;
}

function buildProgram(): Command {
  const program = new Command('npm start --')
    .description('dockerlings: build a mini Docker in TypeScript, one lesson at a time')
    .option('--root <dir>', 'the repository root (default: this checkout, or DOCKERLINGS_ROOT)')
    .option('--no-doctor', 'skip the environment doctor before the lesson list')
    .showHelpAfterError()
    .allowExcessArguments();

  program.action(async () => {
    if (program.args.length > 0) program.error(`error: unknown command '${program.args[0]}' (commands: ${SUBCOMMANDS})`);
    const ctx = contextOf(program);
    if (program.opts<GlobalOptions>().doctor) await doctorBeforeStart(ctx);
    if (ctx.interactive) return done(await runMenu(ctx));
    const code = await listAction(ctx);
    ctx.out.write(`\nNo terminal, so no menu. Subcommands: ${SUBCOMMANDS} (e.g. npm start -- hint 03).\n`);
    done(code);
  });

  program
    .command('list')
    .description('status of every lesson (re-checks lessons whose files changed)')
    .option('--reference', 'check solutions/ instead of src/')
    .action(async (o: { reference?: boolean }) => done(await listAction(contextOf(program, o.reference))));

  program
    .command('test')
    .description('run the graded checks (all lessons, or the given ones) and report progress')
    .argument('[lessons...]', 'lesson numbers, e.g. 03')
    .option('--reference', 'check solutions/ instead of src/ (same as DOCKERLINGS_IMPL=reference)')
    .action(async (ids: string[], o: { reference?: boolean }) => done(await testAction(contextOf(program, o.reference), ids)));

  program
    .command('check')
    .description("check one lesson now and remember the result")
    .argument('<lesson>')
    .action(async (id: string) => done(await checkAction(contextOf(program), id)));

  program
    .command('hint')
    .description('reveal the next hint of a lesson (and show the ones revealed before)')
    .argument('<lesson>')
    .action((id: string) => done(hintAction(contextOf(program), id)));

  program
    .command('info')
    .description("where a lesson's README, files to edit and checks are")
    .argument('<lesson>')
    .action((id: string) => done(infoAction(contextOf(program), id)));

  program
    .command('watch')
    .description('re-check a lesson on every save (Ctrl-C stops)')
    .argument('<lesson>')
    .action(async (id: string) => {
      const stop = new AbortController();
      process.once('SIGINT', () => stop.abort());
      done(await watchAction(contextOf(program), id, stop.signal));
    });

  program
    .command('reset')
    .description("put a lesson's files back to the stubs (your version is backed up in .kata/backups/)")
    .argument('<lesson>')
    .option('-y, --yes', 'do not ask')
    .action(async (id: string, o: { yes?: boolean }) => done(await resetAction(contextOf(program), id, Boolean(o.yes))));

  program
    .command('diff')
    .description("your lesson files against the reference (after the lesson passes)")
    .argument('<lesson>')
    .option('-f, --force', 'show it even though the lesson has not passed')
    .action(async (id: string, o: { force?: boolean }) => done(await diffAction(contextOf(program), id, Boolean(o.force))));

  program
    .command('grade')
    .description('run every lesson and write reports/grade.json and reports/junit.xml')
    .option('--out <dir>', 'where to write the reports', 'reports')
    .option('--reference', 'grade solutions/ instead of src/')
    .action(async (o: { out: string; reference?: boolean }) => done(await gradeAction(contextOf(program, o.reference), o.out)));

  program
    .command('doctor')
    .description('check that this machine can run the workshop')
    .action(async () => done(await doctorAction(contextOf(program))));

  program
    .command('snapshot-stubs', { hidden: true })
    .description('(maintainers) write kata/stubs.json from the current src/')
    .action(() => done(snapshotStubsAction(contextOf(program))));

  program
    .command('verify-stubs', { hidden: true })
    .description('(maintainers) exit 1 unless src/ holds exactly the stubs in kata/stubs.json')
    .action(() => done(verifyStubsAction(contextOf(program))));

  return program;
}

try {
  await buildProgram().parseAsync(process.argv);
} catch (err) {
  process.stderr.write(`error: ${(err as Error).message}\n`);
  process.exitCode = 2;
}
