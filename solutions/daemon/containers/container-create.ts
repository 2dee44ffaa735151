/**
 * `POST /containers/create`, the part before any process runs: check the
 * request, find the image, unpack it once, give the container its own rootfs
 * and write the OCI bundle runc will run.
 *
 * ```
 * request ─▶ name, network mode and HostConfig checks (create-options.ts) ─▶ ImageSource.resolve (404: the CLI pulls)
 *         ─▶ <data root>/rootfs/<image id>/ (unpacked once, shared)
 *         ─▶ <container dir>/bundle/rootfs (an overlay's mount point, or a copy) ─▶ bundle/config.json ─▶ record
 * ```
 * Nothing is mounted here: an overlay rootfs is mounted by the shim, for the
 * time the container runs (container-service.ts start).
 */
import fs from 'node:fs/promises';
import path from 'node:path';
import { InvalidParameterError, NotFoundError } from '../../errdefs.js';
import { unpackImage } from '../../image/unpack-image.js';
import { familiarString, parseReference } from '../../image/reference.js';
import { buildSpec, hostNofileLimit, writeBundle } from '../../runtime/bundle.js';
import { mergeEnv, resolveArgs } from '../../runtime/process-config.js';
import { defaultRootfsMode, prepareRootfs, removeRootfs } from '../../runtime/rootfs.js';
import { resolveGroups, resolveUser } from '../../runtime/user.js';
import { generateName, isValidName } from './container-names.js';
import { containerConfigOf, hostConfigOf, specOptionsOf } from './create-options.js';
import type { DaemonFacts } from './create-options.js';
import { ZERO_TIME, consoleSizeOf, newContainerId, rfc3339Nano } from './container-store.js';
import type { ContainerRecord, ContainerStore } from './container-store.js';
import type { ImageSource, VolumeSource } from '../backends.js';
import type { ResolvedImage } from '../images/image-records.js';
import type { ContainerCreateBody } from '../routes/container-requests.js';
import { attachmentOf } from '../network/network-attachment.js';
import type { NetworkLookup } from '../network/network-attachment.js';
import { checkBindSources, mountPointsOf } from '../volumes/mount-points.js';

/** What creating a container needs from the daemon. */
export interface CreateContext {
  dataRoot: string;
  images: ImageSource;
  store: ContainerStore;
  /** Root or not, the runtime's name, the init binary. */
  facts: DaemonFacts;
  /** The networks: the one a create names must exist (lesson 14). */
  networks: NetworkLookup;
  /** The volumes: a create's named and anonymous volumes are made (lesson 15). */
  volumes: Pick<VolumeSource, 'attach'>;
}

const unpacking = new Map<string, Promise<string>>();

/** Where an image's tree is unpacked, `<data root>/rootfs/<id hex>`, whether or not it is there yet. */
export function imageRootfsPath(dataRoot: string, imageId: string): string {
  return path.join(dataRoot, 'rootfs', imageId.replace(/^sha256:/, ''));
}

/**
 * The image's tree, unpacked once into `<data root>/rootfs/<id hex>` and shared
 * by every container of the image. Concurrent creates wait for the same unpack.
 * @returns the directory.
 */
export async function imageRootfs(dataRoot: string, images: ImageSource, image: ResolvedImage): Promise<string> {
  const dir = imageRootfsPath(dataRoot, image.id);
  const ready = await fs.stat(dir).then(() => true, () => false);
  if (ready) return dir;
  let pending = unpacking.get(dir);
  if (pending === undefined) {
    const layers = image.manifest.layers.map((layer, i) => ({
      open: () => images.blobs.get(layer.digest),
      diffID: image.config.rootfs.diff_ids[i],
    }));
    pending = unpackImage(dir, layers)
      .then(() => dir)
      .catch(async (err: unknown) => {
        // Another daemon process won the race: its tree is as good as ours.
        if (await fs.stat(dir).then(() => true, () => false)) return dir;
        throw err;
      })
      .finally(() => unpacking.delete(dir));
    unpacking.set(dir, pending);
  }
  return pending;
}

/**
 * Creates a container: validates, resolves, unpacks, builds its rootfs and
 * bundle, and stores its record in state `created`.
 * @param name the `?name=` query (else the body's `name`, else a generated one).
 * @returns the record and docker's Warnings.
 * @throws InvalidParameterError for a bad name, network mode, ConsoleSize or command;
 *   ConflictError for a name in use; NotFoundError `No such image: busybox:latest`.
 */
export async function createContainer(ctx: CreateContext, body: ContainerCreateBody, name: string | undefined): Promise<{ record: ContainerRecord; warnings: string[] }> {
  const { store, facts } = ctx;
  const wanted = name ?? body.name ?? '';
  if (wanted !== '' && !isValidName(wanted)) {
    throw new InvalidParameterError(`Invalid container name (${wanted}), only [a-zA-Z0-9][a-zA-Z0-9_.-] are allowed`);
  }
  if (wanted !== '') store.checkName(wanted);
  if (typeof body.Image !== 'string' || body.Image === '') throw new InvalidParameterError('No image specified');
  const network = attachmentOf(body, ctx.networks);
  const { hostConfig, warnings } = hostConfigOf(body.HostConfig, facts);

  let image: ResolvedImage;
  try {
    image = await ctx.images.resolve(body.Image);
  } catch (err) {
    if (err instanceof NotFoundError) throw new NotFoundError(`No such image: ${asFamiliarString(body.Image)}`);
    throw err;
  }
  const imageConfig = image.config.config;
  const args = resolveArgs(imageConfig, body.Entrypoint, body.Cmd);
  const lower = await imageRootfs(ctx.dataRoot, ctx.images, image);

  const id = newContainerId();
  const hostname = body.Hostname || id.slice(0, 12);
  const config = containerConfigOf(body, imageConfig, { hostname, workingDir: body.WorkingDir || imageConfig?.WorkingDir || '' });
  const mounts = mountPointsOf(body.HostConfig, config.Volumes);
  await checkBindSources(mounts);
  const user = await resolveUser(lower, config.User);
  const groups = await resolveGroups(lower, hostConfig.GroupAdd ?? []);
  const consoleSize = consoleSizeOf(hostConfig.ConsoleSize);

  const dir = store.dir(id);
  await fs.mkdir(dir, { recursive: true, mode: 0o700 });
  try {
    // The volumes are made once the container will be: a create refused above makes none.
    const mountPoints = await ctx.volumes.attach(mounts);
    const mode = defaultRootfsMode();
    const rootfs = await prepareRootfs(lower, dir, mode);
    const spec = buildSpec({
      ...specOptionsOf(hostConfig, facts),
      rootfs, args, cwd: config.WorkingDir, hostname, terminal: config.Tty, consoleSize, networkMode: network.mode,
      env: mergeEnv(imageConfig?.Env, body.Env, hostname, config.Tty),
      user: { ...user, additionalGids: [...user.additionalGids, ...groups] },
      hostNofileLimit: hostNofileLimit(),
      ...(facts.rootless ? { rootless: { uid: process.getuid?.() ?? 0, gid: process.getgid?.() ?? 0 } } : { cgroupsPath: `/minidocker/${id}` }),
    });
    await writeBundle(path.join(dir, 'bundle'), spec);
    const record: ContainerRecord = {
      Id: id,
      Name: `/${(wanted || uniqueName(store)).replace(/^\//, '')}`,
      Created: rfc3339Nano(),
      Path: args[0] ?? '',
      Args: args.slice(1),
      Image: image.id,
      Config: config,
      HostConfig: hostConfig,
      State: { Status: 'created', Running: false, OOMKilled: false, Pid: 0, ExitCode: 0, Error: '', StartedAt: ZERO_TIME, FinishedAt: ZERO_TIME },
      Driver: mode === 'overlay' ? 'overlay2' : 'vfs',
      RestartCount: 0,
      NetworkSettings: { Networks: network.networks },
      ...(mountPoints.length > 0 ? { MountPoints: mountPoints } : {}),
    };
    await store.add(record);
    return { record, warnings };
  } catch (err) {
    await removeRootfs(dir).catch(() => undefined);
    await fs.rm(dir, { recursive: true, force: true });
    throw err;
  }
}

function uniqueName(store: ContainerStore): string {
  for (let attempt = 0; ; attempt++) {
    const name = generateName(attempt);
    try {
      store.checkName(name);
      return name;
    } catch {
      // taken: try another
    }
  }
}

// `busybox` → `busybox:latest`, as docker words the 404 (the CLI pulls on any 404).
function asFamiliarString(image: string): string {
  try {
    return familiarString(parseReference(image));
  } catch {
    return image;
  }
}
