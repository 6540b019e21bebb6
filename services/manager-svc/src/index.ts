// The manager's settings, exported so deploy manifests can be checked against them.
export { managerSettings } from './settings.js';
