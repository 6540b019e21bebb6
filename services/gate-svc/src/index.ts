// The gate's settings, exported so deploy manifests can be checked against them.
export { gateSettings } from './settings.js';
