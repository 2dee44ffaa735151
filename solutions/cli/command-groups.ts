/**
 * Provided: the `minidocker network …` and `minidocker volume …` command
 * groups (lessons 14 and 15), registered on the CLI's commander program by
 * cli/main.ts, each sub-command one call into cli/commands/networks.ts or
 * volumes.ts. Kept apart so main.ts stays a readable table of the top-level verbs.
 */
import { Option } from 'commander';
import type { Command } from 'commander';
import { connectNetwork, createNetwork, disconnectNetwork, inspectNetworks, listNetworks, pruneNetworks, removeNetworks } from './commands/networks.js';
import type { NetworkCreateOptions, NetworkLsOptions, NetworkPruneOptions } from './commands/networks.js';
import { createVolume, inspectVolumes, listVolumes, pruneVolumes, removeVolumes } from './commands/volumes.js';
import type { VolumeCreateOptions, VolumeLsOptions, VolumePruneOptions } from './commands/volumes.js';
import type { CommandContext } from './context.js';

/** Runs one command's verb with a fresh context and keeps its exit code (main.ts's `act`). */
export type Act = (verb: (ctx: CommandContext) => Promise<number>) => Promise<void>;

/** commander's collector for a repeatable option: every value, in order. */
export function collect(value: string, previous: string[] | undefined): string[] {
  return [...(previous ?? []), value];
}

/** `minidocker network ls|create|inspect|rm|connect|disconnect|prune`, with docker's flags. */
export function registerNetworkCommands(program: Command, act: Act): void {
  const network = program.command('network').description('Manage networks').usage('COMMAND');
  network.action(() => network.outputHelp()); // `minidocker network` alone: its usage, exit 0, as docker
  network
    .command('ls')
    .alias('list')
    .description('List networks')
    .option('-q, --quiet', 'only display network IDs')
    .option('--no-trunc', 'do not truncate the output')
    .option('-f, --filter <filter>', 'provide filter values (e.g. "driver=bridge")', collect)
    .action((options: NetworkLsOptions) => act((ctx) => listNetworks(ctx, options)));
  network
    .command('create')
    .description('Create a network')
    .argument('<network>')
    .option('-d, --driver <driver>', 'driver to manage the network', 'bridge')
    .option('-o, --opt <key=value>', 'set driver specific options (repeatable)', collect)
    .option('--label <label>', 'set metadata on a network (repeatable)', collect)
    .option('--internal', 'restrict external access to the network')
    .option('--attachable', 'enable manual container attachment')
    .action((name: string, options: NetworkCreateOptions) => act((ctx) => createNetwork(ctx, name, options)));
  network
    .command('inspect')
    .description('Display detailed information on one or more networks')
    .argument('<network...>')
    .action((names: string[]) => act((ctx) => inspectNetworks(ctx, names)));
  network
    .command('rm')
    .alias('remove')
    .description('Remove one or more networks')
    .argument('<network...>')
    .option('-f, --force', 'do not error if the network does not exist')
    .action((names: string[], options: { force?: boolean }) => act((ctx) => removeNetworks(ctx, names, options)));
  network
    .command('connect')
    .description('Connect a container to a network')
    .argument('<network>')
    .argument('<container>')
    .option('--alias <alias>', 'add network-scoped alias for the container (repeatable, or comma-separated)', collect)
    .action((name: string, container: string, options: { alias?: string[] }) => act((ctx) => connectNetwork(ctx, name, container, options)));
  network
    .command('disconnect')
    .description('Disconnect a container from a network')
    .argument('<network>')
    .argument('<container>')
    .option('-f, --force', 'force the container to disconnect from a network')
    .action((name: string, container: string, options: { force?: boolean }) => act((ctx) => disconnectNetwork(ctx, name, container, options)));
  network
    .command('prune')
    .description('Remove all unused networks')
    .option('-f, --force', 'do not prompt for confirmation')
    .option('--filter <filter>', 'provide filter values (e.g. "until=<timestamp>")', collect)
    .action((options: NetworkPruneOptions) => act((ctx) => pruneNetworks(ctx, options)));
}

/** `minidocker volume create|ls|inspect|rm|prune`, with docker's flags. */
export function registerVolumeCommands(program: Command, act: Act): void {
  const volume = program.command('volume').description('Manage volumes').usage('COMMAND');
  volume.action(() => volume.outputHelp()); // `minidocker volume` alone: its usage, exit 0, as docker
  volume
    .command('create')
    .description('Create a volume')
    .argument('[volume]')
    .option('-d, --driver <driver>', 'specify volume driver name', 'local')
    .option('-o, --opt <key=value>', 'set driver specific options (repeatable)', collect)
    .option('--label <label>', 'set metadata for a volume (repeatable)', collect)
    .addOption(new Option('--name <name>').hideHelp()) // docker's hidden spelling of the argument
    .action((name: string | undefined, options: VolumeCreateOptions) => act((ctx) => createVolume(ctx, name, options)));
  volume
    .command('ls')
    .alias('list')
    .description('List volumes')
    .option('-q, --quiet', 'only display volume names')
    .option('-f, --filter <filter>', 'provide filter values (e.g. "dangling=true")', collect)
    .action((options: VolumeLsOptions) => act((ctx) => listVolumes(ctx, options)));
  volume
    .command('inspect')
    .description('Display detailed information on one or more volumes')
    .argument('<volume...>')
    .action((names: string[]) => act((ctx) => inspectVolumes(ctx, names)));
  volume
    .command('rm')
    .alias('remove')
    .description('Remove one or more volumes')
    .argument('<volume...>')
    .option('-f, --force', 'force the removal of one or more volumes')
    .action((names: string[], options: { force?: boolean }) => act((ctx) => removeVolumes(ctx, names, options)));
  volume
    .command('prune')
    .description('Remove unused local volumes')
    .option('-a, --all', 'remove all unused volumes, not just anonymous ones')
    .option('-f, --force', 'do not prompt for confirmation')
    .option('--filter <filter>', 'provide filter values (e.g. "label=<label>")', collect)
    .action((options: VolumePruneOptions) => act((ctx) => pruneVolumes(ctx, options)));
}
