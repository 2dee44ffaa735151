/**
 * Provided: the daemon's one composition root. Every store, service and the
 * runtime are built here, once, and each route group is handed the small
 * backend it needs (backends.ts): no route module builds a service.
 *
 * ```
 * <data root>/content  FsBlobStore ─┐
 * <data root>/images   ImageStore  ─┴─▶ ImageService ──▶ routes/images.ts      (ImagesBackend)
 *                                             │ ImageSource
 * <data root>/containers ContainerStore ─┐    ▼
 * runc|crun --root <data root>/runtime/… ┴─▶ ContainerService ──▶ routes/containers.ts (ContainersBackend)
 *                                              │ ExecTarget
 *                                              ▼
 *                                         ExecService ──▶ routes/exec.ts (ExecsBackend)
 * <data root>/networks NetworkStore ──▶ NetworkService ──▶ routes/networks.ts (NetworksBackend)
 *                                         │ NetworkSource ▲ NetworkMembers (the ContainerStore)
 *                                         └─▶ ContainerService
 * <data root>/volumes  VolumeStore  ──▶ VolumeService  ──▶ routes/volumes.ts (VolumesBackend)
 *                                         │ VolumeSource ▲ VolumeUsers (the ContainerStore)
 *                                         └─▶ ContainerService
 * ```
 * It runs as the daemon registers its routes, after startDaemon made the data
 * root (0700), so nothing is created before the data root has its mode.
 * Exec, networks, volumes and build add their services and route groups here,
 * and the names of the drivers they bring to `drivers` (`/info`'s `Plugins`).
 */
import path from 'node:path';
import { FsBlobStore } from '../image/blob-store.js';
import { ImageStore } from '../image/image-store.js';
import { isRoot } from '../config.js';
import { findInit } from '../runtime/defaults.js';
import { Runc } from '../runtime/runc.js';
import { ArchiveService } from './containers/archive-service.js';
import { ContainerProcesses } from './containers/container-processes.js';
import { ContainerService } from './containers/container-service.js';
import { ContainerStore } from './containers/container-store.js';
import { HealthMonitor } from './containers/health.js';
import { ExecService } from './exec/exec-service.js';
import { ImageService } from './images/image-service.js';
import { NetworkService } from './network/network-service.js';
import { NetworkStore } from './network/network-store.js';
import { VolumeService } from './volumes/volume-service.js';
import { VolumeStore } from './volumes/volume-store.js';
import { registerProcessRoutes } from './routes/container-processes.js';
import { registerArchiveRoutes } from './routes/archive.js';
import { registerContainerRoutes } from './routes/containers.js';
import { registerExecRoutes } from './routes/exec.js';
import { registerImageRoutes } from './routes/images.js';
import { registerNetworkRoutes } from './routes/networks.js';
import { registerVolumeRoutes } from './routes/volumes.js';
import type { RouteRegistrar } from './server/route-registrar.js';
import { builtinDrivers, pluginsInfo, registryServiceConfig } from './system/composed-info.js';

/** What the daemon is built from: the command line's choices. */
export interface ComposeOptions {
  /** `--registry-mirror` URLs: where `docker.io` images are pulled from. */
  mirrors: string[];
  /** `--runtime`: `runc`, `crun` or a path to either. */
  runtime: string;
}

/**
 * The daemon's route groups beyond the system routes, built on one set of
 * services over the daemon's data root. The containers' records are loaded
 * (and running containers adopted) in the background; until that is done,
 * the containers routes wait, and if it failed, they answer with its error.
 */
export function composeDaemon(options: ComposeOptions): RouteRegistrar {
  return (router, daemon) => {
    const { dataRoot } = daemon;
    const images = new ImageService({
      blobs: new FsBlobStore(path.join(dataRoot, 'content')),
      images: new ImageStore(path.join(dataRoot, 'images')),
      mirrors: options.mirrors,
    });
    const runtime = new Runc({ binary: options.runtime, root: path.join(dataRoot, 'runtime', path.basename(options.runtime)) });
    const facts = { rootless: !isRoot(), runtime: path.basename(options.runtime), initPath: findInit() };
    // Lesson 14: the networks; the containers find theirs through NetworkSource, the networks their members through the store.
    const store = new ContainerStore(dataRoot);
    const networks = new NetworkService({ store: new NetworkStore(dataRoot), containers: store, rootless: facts.rootless });
    // Lesson 15: the volumes; the containers make and fill theirs through VolumeSource, the volumes find their users in the store.
    const volumes = new VolumeService({ store: new VolumeStore(dataRoot), containers: store });
    const containers = new ContainerService({ dataRoot, images, store, runtime, facts, networks, volumes });
    const ready = Promise.all([networks.restore(), volumes.restore(), containers.restore()]).then(() => undefined);
    ready.catch(() => undefined); // reported by every containers request instead
    const drivers = builtinDrivers();
    drivers.network.push('bridge'); // lesson 14: user-defined networks (a shared namespace, not a bridge device), under docker's driver name
    drivers.volume.push('local'); // lesson 15: volumes under the data root
    const registryConfig = registryServiceConfig(options.mirrors);
    daemon.infoSources.push(async () => ({ Plugins: pluginsInfo(drivers), RegistryConfig: registryConfig }));
    registerImageRoutes(images)(router, daemon);
    registerContainerRoutes({ backend: containers, ready, runtime: options.runtime })(router, daemon);
    registerNetworkRoutes({ backend: networks, ready })(router, daemon);
    registerVolumeRoutes({ backend: volumes, ready })(router, daemon);
    // Lesson 15: the archive API behind docker cp; a start waits for a copy holding the same container's rootfs.
    const archive = new ArchiveService({ resolve: (ref) => containers.resolve(ref), dir: (id) => containers.store.dir(id), dataRoot }, { locks: containers.rootfsLocks });
    registerArchiveRoutes({ backend: archive, ready })(router, daemon);
    // Lesson 13: exec instances in the running containers, listed in inspect's ExecIDs.
    const execs = new ExecService(containers);
    containers.execIds = (id) => execs.execIds(id);
    registerExecRoutes({ backend: execs, ready })(router, daemon);
    const processes = new ContainerProcesses({
      resolve: (ref) => containers.resolve(ref),
      save: (record) => containers.store.save(record),
      runc: runtime,
      facts,
      dir: (id) => containers.store.dir(id),
    });
    registerProcessRoutes({ backend: processes, ready })(router, daemon);
    // Lesson 13: health checks, execs on a timer from each start to the exit; adopted containers resume theirs.
    const health = new HealthMonitor({ resolve: (id) => containers.resolve(id), save: (record) => containers.store.save(record) }, async (id, argv, timeoutMs) => {
      const result = await execs.run(id, argv, { timeoutMs });
      return result.timedOut ? { exitCode: -1, output: `Health check exceeded timeout (${timeoutMs < 1000 ? `${timeoutMs}ms` : `${timeoutMs / 1000}s`})` } : result;
    });
    containers.lifecycle.on('start', (id: string) => void health.start(id).catch(() => undefined));
    containers.lifecycle.on('exit', (id: string) => health.stop(id));
    ready.then(() => {
      for (const record of containers.store.all()) {
        if (!record.State.Running) continue;
        try {
          health.resume(record.Id);
        } catch {
          // A health check that cannot be run (say, lesson 13 not done yet) must not take the daemon down.
        }
      }
    }, () => undefined);
  };
}
