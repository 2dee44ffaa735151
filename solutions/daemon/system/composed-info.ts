/**
 * Provided: the `/info` fields only the composition root knows, because they
 * describe what it built from the command line — `Plugins`, the drivers its
 * route groups accept, and `RegistryConfig`, where images are pulled from.
 * compose.ts adds them through `daemon.infoSources`; a later lesson that adds
 * a driver (a volume driver, a network driver) adds its name to the
 * {@link DriverLists} compose.ts keeps, and `/info` shows it from then on.
 *
 * Both are shaped as dockerd 28 answers an API 1.41 client (moby
 * `daemon/info.go` fillPluginsInfo, `registry/config.go` newServiceConfig).
 */
import type { PluginsInfo, RegistryServiceConfig } from '../../api/types.js';
import { LOG_DRIVERS } from '../containers/log-config.js';

/** The drivers of each kind the daemon has, by name; compose.ts keeps one set and route groups add to it. */
export interface DriverLists {
  volume: string[];
  network: string[];
  log: string[];
}

/** The network drivers behind the network modes containers accept: `host`, and `null` for `--network none`. */
export const NETWORK_DRIVERS: readonly string[] = ['host', 'null'];

/** The registries dockerd pulls from over plain HTTP by default: loopback, both families. */
export const INSECURE_REGISTRY_CIDRS: readonly string[] = ['::1/128', '127.0.0.0/8'];

/** The lists the daemon starts with: no volume driver yet, the network modes and log drivers containers accept. */
export function builtinDrivers(): DriverLists {
  return { volume: [], network: [...NETWORK_DRIVERS], log: [...LOG_DRIVERS] };
}

/**
 * `/info`'s `Plugins`: each list sorted and without repeats, as dockerd sorts
 * its driver names; a kind with no driver is `null` (dockerd's nil slice), and
 * so is `Authorization`: this daemon has no authorization plugins.
 */
export function pluginsInfo(drivers: DriverLists): PluginsInfo {
  const sorted = (names: string[]) => (names.length === 0 ? null : [...new Set(names)].sort());
  return { Volume: sorted(drivers.volume), Network: sorted(drivers.network), Authorization: null, Log: sorted(drivers.log) };
}

/** A `--registry-mirror` URL as dockerd shows it: with one trailing `/` (`http://127.0.0.1:5000/`). */
export function normalizeMirror(url: string): string {
  return `${url.endsWith('/') ? url.slice(0, -1) : url}/`;
}

/**
 * `/info`'s `RegistryConfig` for the given mirrors: loopback is insecure (plain
 * HTTP), `docker.io` is the one index, secure and official, pulled through the
 * mirrors (normalised, repeats dropped). The top-level `Mirrors` is `null`
 * when there are none, while `docker.io`'s is `[]`, as dockerd answers. The
 * two `AllowNondistributableArtifacts*` fields are deprecated, and null for
 * API versions below 1.47.
 */
export function registryServiceConfig(mirrors: readonly string[]): RegistryServiceConfig {
  const unique = [...new Set(mirrors.map(normalizeMirror))];
  return {
    AllowNondistributableArtifactsCIDRs: null,
    AllowNondistributableArtifactsHostnames: null,
    InsecureRegistryCIDRs: [...INSECURE_REGISTRY_CIDRS],
    IndexConfigs: { 'docker.io': { Name: 'docker.io', Mirrors: unique, Secure: true, Official: true } },
    Mirrors: unique.length === 0 ? null : unique,
  };
}
