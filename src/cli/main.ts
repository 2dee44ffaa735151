/**
 * Provided: the argument parsing around lesson 02's verbs.
 *
 * `minidocker`: the command line. This file only parses arguments, like the
 * docker CLI's cobra layer; each verb lives in `commands/`.
 *
 * ```
 * minidocker [-H unix:///path.sock] <verb> [flags] [args]
 *            └─ else MINIDOCKER_HOST, else the default socket (config.ts)
 * ```
 * Exit codes follow docker: 0 on success, 1 for an error, 125 for a bad flag,
 * and whatever a verb decides through {@link StatusError} (`run` → 125 for a
 * daemon error, else the container's own exit code).
 */
import { Command, CommanderError, InvalidArgumentError, Option } from 'commander';
import { EngineClient } from '../client/engine-client.js';
import { resolveClientSocket } from '../config.js';
import { NotImplementedError } from '../errors.js';
import { logs, ps, rm, stop } from './commands/containers.js';
import { cp } from './commands/cp.js';
import type { CpOptions } from './commands/cp.js';
import { exec } from './commands/exec.js';
import type { ExecOptions } from './commands/exec.js';
import type { LogsOptions, PsOptions, RmOptions, StopOptions } from './commands/containers.js';
import { images, pull, rmi } from './commands/images.js';
import { port } from './commands/port.js';
import { pause, stats, top, unpause } from './commands/processes.js';
import type { StatsOptions } from './commands/processes.js';
import type { ImagesOptions, RmiOptions } from './commands/images.js';
import { push, tag } from './commands/push-tag.js';
import { run } from './commands/run.js';
import type { RunOptions } from './commands/run.js';
import { healthcheckOf } from './health-flags.js';
import type { HealthFlags } from './health-flags.js';
import { networkingOf } from './network-flags.js';
import type { NetworkFlags } from './network-flags.js';
import { info, version } from './commands/system.js';
import { volumesOf } from './volume-flags.js';
import type { VolumeFlags } from './volume-flags.js';
import { packageVersion } from '../config.js';
import { StatusError } from './context.js';
import type { CliIO, CommandContext } from './context.js';
import { describeError } from './format.js';
import { collect, registerNetworkCommands, registerVolumeCommands } from './command-groups.js';

// Commander's codes for a flag it cannot use: docker answers these with 125.
const FLAG_ERRORS = new Set(['commander.unknownOption', 'commander.optionMissingArgument', 'commander.invalidArgument']);

/**
 * Runs one `minidocker` invocation.
 * @param argv the arguments after the program name.
 * @returns the exit code. Never calls `process.exit`.
 * @throws NotImplementedError when a verb is still a stub, so the message names it.
 */
export async function main(argv: string[], io: CliIO): Promise<number> {
  let exitCode = 0;
  const program = new Command('minidocker');
  program
    .description('A mini Docker client: turns commands into Engine API calls to minidockerd.')
    .usage('[OPTIONS] COMMAND')
    .option('-H, --host <address>', 'daemon socket to connect to, unix:///path/to.sock (default: $MINIDOCKER_HOST)')
    .version(`minidocker version ${packageVersion()}`, '-v, --version', 'print version information and quit')
    .enablePositionalOptions()
    .exitOverride()
    .configureOutput({
      writeOut: (text) => io.stdout.write(text),
      writeErr: (text) => io.stderr.write(text),
      outputError: () => {}, // reported below, docker-style
    });

  const context = (): CommandContext => ({
    client: new EngineClient({ socketPath: resolveClientSocket(program.opts<{ host?: string }>().host, io.env) }),
    io,
  });
  const act = async (verb: (ctx: CommandContext) => Promise<number>): Promise<void> => {
    exitCode = await verb(context());
  };

  program.command('version').description('Show the minidocker version information').action(() => act((ctx) => version(ctx)));
  program.command('info').description('Display system-wide information').action(() => act((ctx) => info(ctx)));
  program
    .command('images')
    .description('List images')
    .option('-q, --quiet', 'only show image IDs')
    .action((options: ImagesOptions) => act((ctx) => images(ctx, options)));
  program
    .command('ps')
    .description('List containers')
    .option('-a, --all', 'show all containers (default shows just running)')
    .option('-q, --quiet', 'only display container IDs')
    .action((options: PsOptions) => act((ctx) => ps(ctx, options)));
  program
    .command('pull')
    .description('Download an image from a registry')
    .argument('<name>', 'NAME[:TAG|@DIGEST]')
    .action((name: string) => act((ctx) => pull(ctx, name)));
  program
    .command('push')
    .description('Upload an image to a registry')
    .argument('<name>', 'NAME[:TAG]')
    .action((name: string) => act((ctx) => push(ctx, name)));
  program
    .command('tag')
    .description('Create a tag TARGET_IMAGE that refers to SOURCE_IMAGE')
    .argument('<source>', 'SOURCE_IMAGE[:TAG]')
    .argument('<target>', 'TARGET_IMAGE[:TAG]')
    .action((source: string, target: string) => act((ctx) => tag(ctx, source, target)));
  program
    .command('run')
    .description('Create and run a new container from an image')
    .usage('[OPTIONS] IMAGE [COMMAND] [ARG...]')
    .argument('<image>')
    .argument('[command...]')
    .option('-d, --detach', 'run container in background and print container ID')
    .option('--rm', 'automatically remove the container when it exits')
    .option('--name <name>', 'assign a name to the container')
    .option('-e, --env <KEY=VALUE>', 'set an environment variable (repeatable; KEY alone copies it from here)', collect)
    .option('-w, --workdir <dir>', 'working directory inside the container')
    .option('-i, --interactive', 'keep STDIN open and send it to the container')
    .option('-t, --tty', 'allocate a pseudo-TTY')
    .option('--network <network>', 'connect the container to a network: its name, none or host (default: "default")', collect)
    .addOption(new Option('--net <network>').hideHelp().argParser(collect)) // docker's old name for --network
    .option('--network-alias <alias>', 'add a network-scoped alias for the container (repeatable)', collect)
    .option('-p, --publish <[ip:][hostPort:]containerPort[/proto]>', "publish a container's port(s) to the host (repeatable)", collect)
    .option('-P, --publish-all', 'publish all exposed ports to ports the kernel chooses')
    .option('--expose <port[/proto]>', 'expose a port or a range of ports (repeatable)', collect)
    .option('--add-host <host:ip>', 'add a custom host-to-IP mapping (repeatable)', collect)
    .option('--dns <ip>', 'set custom DNS servers (repeatable)', collect)
    .option('--dns-search <domain>', 'set custom DNS search domains (repeatable)', collect)
    .option('--dns-option <option>', 'set DNS options (repeatable)', collect)
    .option('-h, --hostname <name>', 'container host name')
    .helpOption('--help', 'display help for command') // -h is --hostname, as in docker
    .option('-v, --volume <[src:]dst[:opts]>', 'bind mount a host path or a named volume; a lone path is an anonymous volume (repeatable)', collect)
    .option('--mount <type=…,source=…,target=…>', 'attach a filesystem mount to the container: bind, volume or tmpfs (repeatable)', collect)
    .option('--tmpfs <path[:opts]>', 'mount a tmpfs directory (repeatable)', collect)
    .option('--read-only', "mount the container's root filesystem as read only")
    .option('--health-cmd <command>', 'command to run to check health')
    .option('--health-interval <duration>', 'time between running the check (ms|s|m|h) (default 0s)')
    .option('--health-timeout <duration>', 'maximum time to allow one check to run (ms|s|m|h) (default 0s)')
    .option('--health-start-period <duration>', 'start period for the container to initialize before counting retries (ms|s|m|h)')
    .option('--health-start-interval <duration>', 'time between running the check during the start period (ms|s|m|h)')
    .option('--health-retries <n>', 'consecutive failures needed to report unhealthy')
    .option('--no-healthcheck', 'disable any container-specified HEALTHCHECK')
    .passThroughOptions() // `run busybox sh -c 'ls -l'`: flags after IMAGE belong to the command
    .action((image: string, command: string[], options: Omit<RunOptions, 'network'> & HealthFlags & NetworkFlags & VolumeFlags) =>
      act((ctx) => {
        const volumes = volumesOf(options); // first: docker reads --mount with the flags, and -v before -p
        const networking = networkingOf(options);
        const network = networking.HostConfig.NetworkMode;
        return run(ctx, image, command, { ...options, network, healthcheck: healthcheckOf(options), networking, volumes });
      }),
    );
  program
    .command('exec')
    .description('Execute a command in a running container')
    .usage('[OPTIONS] CONTAINER COMMAND [ARG...]')
    .argument('<container>')
    .argument('<command...>')
    .option('-d, --detach', 'detached mode: run the command in the background')
    .option('-e, --env <KEY=VALUE>', 'set an environment variable (repeatable; KEY alone copies it from here)', collect)
    .option('-i, --interactive', 'keep STDIN open and send it to the command')
    .option('-t, --tty', 'allocate a pseudo-TTY')
    .option('-u, --user <user>', 'username or UID (format: "<name|uid>[:<group|gid>]")')
    .option('-w, --workdir <dir>', 'working directory inside the container')
    .option('--detach-keys <keys>', 'override the key sequence for detaching (default: ctrl-p,ctrl-q)')
    .passThroughOptions() // `exec web ls -l`: flags after CONTAINER belong to the command
    .action((container: string, command: string[], options: ExecOptions) => act((ctx) => exec(ctx, container, command, options)));
  program
    .command('logs')
    .description('Fetch the logs of a container')
    .argument('<container>')
    .option('-f, --follow', 'follow log output')
    .option('-n, --tail <lines>', 'number of lines to show from the end of the logs', 'all')
    .action((container: string, options: LogsOptions) => act((ctx) => logs(ctx, container, options)));
  program
    .command('stop')
    .description('Stop one or more running containers')
    .argument('<container...>')
    .option('-t, --timeout <seconds>', 'seconds to wait before killing the container', toInteger)
    .action((containers: string[], options: StopOptions) => act((ctx) => stop(ctx, containers, options)));
  program
    .command('rm')
    .description('Remove one or more containers')
    .argument('<container...>')
    .option('-f, --force', 'force the removal of a running container (uses SIGKILL)')
    .action((containers: string[], options: RmOptions) => act((ctx) => rm(ctx, containers, options)));
  program
    .command('top')
    .description('Display the running processes of a container')
    .usage('[OPTIONS] CONTAINER [ps OPTIONS]')
    .argument('<container>')
    .argument('[ps-options...]', "options for the host's ps (default: -ef)")
    .allowUnknownOption()
    .passThroughOptions() // `top web -o pid,comm`: flags after CONTAINER are ps's
    .action((container: string, psOptions: string[]) => act((ctx) => top(ctx, container, psOptions)));
  program
    .command('pause')
    .description('Pause all processes within one or more containers')
    .argument('<container...>')
    .action((containers: string[]) => act((ctx) => pause(ctx, containers)));
  program
    .command('unpause')
    .description('Unpause all processes within one or more containers')
    .argument('<container...>')
    .action((containers: string[]) => act((ctx) => unpause(ctx, containers)));
  program
    .command('stats')
    .description('Display a live stream of container(s) resource usage statistics')
    .argument('[container...]')
    .option('-a, --all', 'show all containers (default shows just running)')
    .option('--no-stream', 'disable streaming stats and only pull the first result')
    .action((containers: string[], options: { all?: boolean; stream: boolean }) =>
      act((ctx) => stats(ctx, containers, { all: options.all, noStream: !options.stream } satisfies StatsOptions)));
  program
    .command('port')
    .description('List port mappings or a specific mapping for the container')
    .usage('CONTAINER [PRIVATE_PORT[/PROTO]]')
    .argument('<container>')
    .argument('[private-port]')
    .action((container: string, privatePort: string | undefined) => act((ctx) => port(ctx, container, privatePort)));
  registerNetworkCommands(program, act);
  program
    .command('cp')
    .description('Copy files/folders between a container and the local filesystem')
    .usage('[OPTIONS] CONTAINER:SRC_PATH DEST_PATH|-\n       minidocker cp [OPTIONS] SRC_PATH|- CONTAINER:DEST_PATH')
    .argument('<source>')
    .argument('<destination>')
    .option('-a, --archive', 'archive mode (copy all uid/gid information)')
    .option('-L, --follow-link', 'always follow symbol link in SRC_PATH')
    .option('-q, --quiet', 'suppress progress output during copy (the default when stdout is not a terminal)')
    .action((source: string, destination: string, options: CpOptions) => act((ctx) => cp(ctx, source, destination, options)));
  registerVolumeCommands(program, act);
  program
    .command('rmi')
    .description('Remove one or more images')
    .argument('<image...>')
    .option('-f, --force', 'force removal of the image')
    .action((names: string[], options: RmiOptions) => act((ctx) => rmi(ctx, names, options)));

  if (argv.length === 0) {
    program.outputHelp(); // docker prints its usage and succeeds
    return 0;
  }
  try {
    await program.parseAsync(argv, { from: 'user' });
    return exitCode;
  } catch (err) {
    if (err instanceof CommanderError) return usageError(err, argv, program, io);
    if (err instanceof NotImplementedError) throw err;
    if (err instanceof StatusError) {
      if (err.message !== '') io.stderr.write(`${err.message}\n`);
      return err.status === 0 ? 1 : err.status;
    }
    io.stderr.write(`${describeError(err)}\n`);
    return 1;
  }
}

/** Help and `--version` end with 0; bad flags with 125, other usage errors with 1, as docker does. */
function usageError(err: CommanderError, argv: string[], program: Command, io: CliIO): number {
  if (err.exitCode === 0) return 0;
  const help = ['minidocker', ...commandPath(program, argv), '--help'].join(' ');
  io.stderr.write(`minidocker: ${err.message.replace(/^error: /, '')}\nSee '${help}'.\n`);
  return FLAG_ERRORS.has(err.code) ? 125 : 1;
}

// The verb, and sub-verb (`network ls`), the arguments name: words that are neither flags nor the -H value.
function commandPath(program: Command, argv: string[]): string[] {
  const path: string[] = [];
  let command = program;
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i] ?? '';
    if (arg === '-H' || arg === '--host') i++;
    else if (!arg.startsWith('-')) {
      const sub = command.commands.find((c) => c.name() === arg || c.aliases().includes(arg));
      if (sub === undefined) break;
      path.push(sub.name());
      command = sub;
    }
  }
  return path;
}

function toInteger(value: string): number {
  const n = Number(value);
  if (value.trim() === '' || !Number.isInteger(n)) throw new InvalidArgumentError('Not an integer.');
  return n;
}
