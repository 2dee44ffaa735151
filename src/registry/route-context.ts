/**
 * What every route handler of the registry receives. Provided: a type only,
 * kept apart from server.ts so that the route modules and the server that
 * calls them do not import each other.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { RegistryStorage } from './storage.js';
import type { UploadStore } from './uploads.js';

/** What every handler gets: the request, the reply, the stores and the checked repository name. */
export interface RegistryRouteContext {
  req: IncomingMessage;
  res: ServerResponse;
  url: URL;
  storage: RegistryStorage;
  uploads: UploadStore;
  /** The repository name from the path, already checked against the grammar ('' for routes without one). */
  name: string;
}
