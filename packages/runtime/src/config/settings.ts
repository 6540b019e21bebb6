// A service's whole configuration as one typed definition: read from the environment and/or a YAML
// file, validated all at once at start-up, and described for deploy manifests and --print-settings.
// Precedence: environment > YAML file > default. Every bad key is reported in one ConfigError.
import { readFileSync } from 'node:fs';
import { parse as parseYaml } from 'yaml';
import type { Setting, SettingKind } from './setting.js';

export type SettingsDefinition = Readonly<Record<string, Setting<unknown>>>;

/** The typed result of loading a definition: `{ grpcPort: number, ... }`. */
export type Settings<D extends SettingsDefinition> = {
  readonly [K in keyof D]: D[K] extends Setting<infer T> ? T : never;
};

export interface ConfigProblem {
  /** The env name of the setting, or the file for file-level problems. */
  env: string;
  message: string;
}

/** Thrown by loadSettings with every problem found; its message has one line per problem. */
export class ConfigError extends Error {
  readonly problems: readonly ConfigProblem[];

  constructor(problems: readonly ConfigProblem[]) {
    super(`invalid configuration:\n${problems.map((p) => `  ${p.env}: ${p.message}`).join('\n')}`);
    this.name = 'ConfigError';
    this.problems = problems;
  }
}

/** Checks a definition (unique env names) and returns it unchanged, keeping its inferred type. */
export function defineSettings<const D extends SettingsDefinition>(definition: D): D {
  const seen = new Map<string, string>();
  for (const [key, setting] of Object.entries(definition)) {
    const previous = seen.get(setting.env);
    if (previous !== undefined) {
      throw new Error(`settings '${previous}' and '${key}' use the same env name ${setting.env}`);
    }
    seen.set(setting.env, key);
  }
  return definition;
}

export interface LoadSettingsOptions {
  /** Defaults to process.env. An empty variable counts as unset. */
  env?: Readonly<Record<string, string | undefined>>;
  /** A YAML file whose keys are the setting keys (camelCase) or their env names. */
  file?: string | undefined;
}

function render(raw: unknown, secret: boolean): string {
  if (secret) return '<secret>';
  if (typeof raw === 'string') return /^[-+]?\d+(\.\d+)?$/.test(raw) ? raw : `'${raw}'`;
  if (typeof raw === 'number' || typeof raw === 'boolean') return String(raw);
  return JSON.stringify(raw) ?? String(raw);
}

function readFileValues(definition: SettingsDefinition, file: string, problems: ConfigProblem[]): Map<string, unknown> {
  const values = new Map<string, unknown>();
  let document: unknown;
  try {
    document = parseYaml(readFileSync(file, 'utf8'));
  } catch (error) {
    problems.push({ env: file, message: `cannot read the config file: ${(error as Error).message}` });
    return values;
  }
  if (document === null || document === undefined) return values;
  if (typeof document !== 'object' || Array.isArray(document)) {
    problems.push({ env: file, message: 'the config file must be a YAML mapping of setting names to values' });
    return values;
  }
  const keyByName = new Map<string, string>();
  for (const [key, setting] of Object.entries(definition)) {
    keyByName.set(key, key);
    keyByName.set(setting.env, key);
  }
  for (const [name, value] of Object.entries(document as Record<string, unknown>)) {
    const key = keyByName.get(name);
    if (key === undefined) {
      problems.push({ env: file, message: `unknown setting '${name}'` });
      continue;
    }
    if (values.has(key)) {
      problems.push({ env: file, message: `setting '${key}' is given twice` });
      continue;
    }
    if (value !== null && value !== undefined) values.set(key, value);
  }
  return values;
}

/**
 * Loads and validates every setting. Throws ConfigError naming each bad key and its allowed range,
 * e.g. `HYPERSCALE_GRPC_PORT: 70000 is out of range 1..65535`.
 */
export function loadSettings<const D extends SettingsDefinition>(
  definition: D,
  options: LoadSettingsOptions = {},
): Settings<D> {
  const env = options.env ?? process.env;
  const problems: ConfigProblem[] = [];
  const fileValues =
    options.file === undefined ? new Map<string, unknown>() : readFileValues(definition, options.file, problems);
  const result: Record<string, unknown> = {};
  for (const [key, setting] of Object.entries(definition)) {
    const fromEnv = env[setting.env];
    let raw: unknown;
    let source = '';
    if (fromEnv !== undefined && fromEnv.trim() !== '') {
      raw = fromEnv;
    } else if (fileValues.has(key)) {
      raw = fileValues.get(key);
      source = ` (from ${options.file})`;
    }
    if (raw === undefined) {
      if (setting.required) {
        const what = setting.description ? ` (${setting.description})` : '';
        problems.push({ env: setting.env, message: `required but not set${what}; allowed ${setting.allowed}` });
      }
      result[key] = setting.defaultValue;
      continue;
    }
    const parsed = setting.parse(raw);
    if (parsed.ok) result[key] = parsed.value;
    else problems.push({ env: setting.env, message: `${render(raw, setting.secret)} ${parsed.problem}${source}` });
  }
  if (problems.length > 0) throw new ConfigError(problems);
  return result as Settings<D>;
}

export interface SettingDescription {
  key: string;
  env: string;
  kind: SettingKind;
  required: boolean;
  default: string | undefined;
  description: string;
  allowed: string;
  secret: boolean;
}

/** One entry per setting, in definition order; deploy manifests are checked against this list. */
export function describeSettings(definition: SettingsDefinition): SettingDescription[] {
  return Object.entries(definition).map(([key, setting]) => ({
    key,
    env: setting.env,
    kind: setting.kind,
    required: setting.required,
    default: setting.secret ? undefined : setting.defaultText,
    description: setting.description,
    allowed: setting.allowed,
    secret: setting.secret,
  }));
}

/** A human-readable table of the settings, for a service's --print-settings flag. */
export function formatSettings(definition: SettingsDefinition): string {
  return describeSettings(definition)
    .map((d) => {
      const status = d.required ? 'required' : d.default === undefined ? 'optional' : `default ${d.default}`;
      const description = d.description ? ` — ${d.description}` : '';
      return `${d.env} (${status}; ${d.allowed})${description}`;
    })
    .join('\n');
}
