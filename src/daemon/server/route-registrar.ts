/**
 * Provided: what a route group is handed when the daemon registers it — the
 * router and what it may know of the daemon — kept apart from server.ts so
 * that route modules and the server both depend on it, never on each other.
 */
import type { SystemInfo } from '../../api/types.js';
import type { Router } from './router.js';

/** What every route module may know about the daemon it runs in. */
export interface DaemonInfo {
  /** The unix socket path the daemon listens on. */
  socketPath: string;
  /** The directory holding the daemon's state. */
  dataRoot: string;
  /** The daemon's version, e.g. `0.1.0` (`Server: minidocker/0.1.0 (linux)`). */
  version: string;
  /** The daemon's ID (`/info`'s `ID`): a UUID kept in `<data root>/engine-id`, the same across restarts. */
  id: string;
  /**
   * What route groups add to `GET /info`, each merged over the system body in
   * order: the images routes count images, the containers routes count
   * containers and name the runtime. Starts empty.
   */
  infoSources: InfoSource[];
}

/** Fields one route group adds to `GET /info`; it answers {} when it cannot count. */
export type InfoSource = () => Promise<SystemInfo>;

/** Adds one group of routes (system, images, containers …) to the router. */
export type RouteRegistrar = (router: Router, daemon: DaemonInfo) => void;
