// A service's settings at start-up: a bad value stops the process with one line per bad key
// (DESIGN.md §8), and `--print-settings` lists every setting the service reads.
import { ConfigError, formatSettings, loadSettings, type Settings, type SettingsDefinition } from './settings.js';

export function loadSettingsOrExit<const D extends SettingsDefinition>(definition: D, service: string): Settings<D> {
  if (process.argv.includes('--print-settings')) {
    process.stdout.write(`${formatSettings(definition)}\n`);
    process.exit(0);
  }
  try {
    return loadSettings(definition, { env: process.env, file: process.env['HYPERSCALE_CONFIG'] });
  } catch (error) {
    if (error instanceof ConfigError) {
      process.stderr.write(`${service}: ${error.message}\n`);
      process.exit(2);
    }
    throw error;
  }
}
