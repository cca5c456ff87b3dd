/**
 * The remotes API (`xpipe remote ...`; later push/fetch/pull): loaded lazily through `loadRemotes()` of
 * the engine façade.
 */
export { loadProjectConfig, resolveRemote, REMOTE_KEYS, CONFIG_FILE, LOCAL_CONFIG_FILE, type ProjectConfig, type RemoteConfig, type RemoteSettings } from '../config/project-config.js';
export { addRemote, removeRemote, setDefaultRemote, modifyRemote, type EditReport } from '../config/config-edit.js';
export { parseRemoteUrl, describeRemoteUrl, type RemoteUrl } from './remote-url.js';
