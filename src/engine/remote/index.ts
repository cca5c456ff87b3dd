/**
 * The remotes API, loaded lazily through `loadRemotes()` of the engine façade: configuration
 * (`xpipe remote ...`), the remote registry, push / fetch / pull, `status --cloud` and the remote run
 * source of `repro --pull`.
 */
export {
  loadProjectConfig,
  resolveRemote,
  REMOTE_KEYS,
  CONFIG_FILE,
  LOCAL_CONFIG_FILE,
  type ProjectConfig,
  type RemoteConfig,
  type RemoteSettings,
} from '../config/project-config.js';
export { addRemote, removeRemote, setDefaultRemote, modifyRemote, type EditReport } from '../config/config-edit.js';
export { parseRemoteUrl, describeRemoteUrl, type RemoteUrl } from './remote-url.js';
export { openRemote, type RemoteStores, type RemoteBackend, type OpenContext } from './registry.js';
export { RemoteFailureError, type RemoteFailure, type RemoteProblem } from './errors.js';
export { push, fetch, pull, type TransferCommandOptions, type PullReport } from './operations.js';
export { cloudStatus, type CloudStatus, type CloudOutStatus, type Presence } from './cloud-status.js';
export { remoteRunSource, type OpenedRunSource } from './run-source.js';
export type { TransferReport, OutProblem, OutRef } from './transfer.js';
export type { TransferProgress } from './move-objects.js';
export type { RemoteOpError } from './session.js';
