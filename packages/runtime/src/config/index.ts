// The configuration surface: setting helpers, loading, describing.
export { formatDurationMs, parseDurationMs } from './duration.js';
export { formatHostPort, type HostPort, parseHostPort, splitHostPort } from './host-port.js';
export { loadSettingsOrExit } from './load-or-exit.js';
export { type NodeSettingsOptions, nodeSettings } from './node-settings.js';
export { type ParseOutcome, type Setting, type SettingKind, s } from './setting.js';
export {
  ConfigError,
  type ConfigProblem,
  defineSettings,
  describeSettings,
  formatSettings,
  type LoadSettingsOptions,
  loadSettings,
  type SettingDescription,
  type Settings,
  type SettingsDefinition,
} from './settings.js';
