// The worker's settings, exported so deploy manifests can be checked against them.
export { workerSettings } from './settings.js';
