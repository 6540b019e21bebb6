// The typed setting helpers (`s.int`, `s.durationMs`, …). Each setting knows its environment
// variable, how to parse a raw value (env text or a YAML value), and how to say what it allows, so a
// bad value stops the process with a message naming the key and the allowed range (DESIGN.md §8).
import { formatDurationMs, parseDurationMs } from './duration.js';
import { parseHostPort } from './host-port.js';

export type SettingKind = 'string' | 'int' | 'number' | 'port' | 'durationMs' | 'enum' | 'bool' | 'list' | 'hostPort';

/** A parse outcome: the value, or a problem phrased to follow the rendered raw value. */
export type ParseOutcome<T> = { ok: true; value: T } | { ok: false; problem: string };

export interface Setting<T> {
  readonly kind: SettingKind;
  /** Environment variable name, e.g. HYPERSCALE_GRPC_PORT. */
  readonly env: string;
  readonly description: string;
  /** No default and not optional: start-up fails when it is missing. */
  readonly required: boolean;
  readonly secret: boolean;
  /** The default, already parsed; undefined when there is none. */
  readonly defaultValue: T | undefined;
  /** The default as written in the definition, for descriptions. */
  readonly defaultText: string | undefined;
  /** What values are allowed, e.g. '1..65535'. */
  readonly allowed: string;
  parse(raw: unknown): ParseOutcome<T>;
}

interface CommonOptions {
  env: string;
  description?: string;
  /** The result may be undefined instead of the setting being required. */
  optional?: boolean;
  /** Keep the value out of error messages and descriptions. */
  secret?: boolean;
}

/** `optional: true` adds undefined to the result type. */
type Resolved<T, O> = O extends { optional: true } ? T | undefined : T;

export interface StringOptions extends CommonOptions {
  default?: string;
  minLength?: number;
  pattern?: RegExp;
}
export interface IntOptions extends CommonOptions {
  default?: number;
  min?: number;
  max?: number;
}
export interface PortOptions extends CommonOptions {
  default?: number;
  /** Accept 0, meaning "any free port" (tests, local clusters). */
  allowZero?: boolean;
}
export interface DurationOptions extends CommonOptions {
  /** '5s', '250ms', or milliseconds. */
  default?: string | number;
  min?: number;
  max?: number;
}
export interface EnumOptions extends CommonOptions {
  values: readonly string[];
  default?: string;
}
export interface BoolOptions extends CommonOptions {
  default?: boolean;
}
export interface ListOptions extends CommonOptions {
  default?: readonly string[] | string;
  item?: 'string' | 'hostPort';
  minItems?: number;
}
export interface HostPortOptions extends CommonOptions {
  default?: string;
}

const ok = <T>(value: T): ParseOutcome<T> => ({ ok: true, value });
const bad = <T>(problem: string): ParseOutcome<T> => ({ ok: false, problem });

function build<T>(
  kind: SettingKind,
  options: CommonOptions & { default?: unknown },
  allowed: string,
  parse: (raw: unknown) => ParseOutcome<T>,
  showDefault: (value: T) => string = String,
): Setting<T> {
  if (!/^[A-Z][A-Z0-9_]*$/.test(options.env)) {
    throw new Error(`setting env name '${options.env}' must be UPPER_SNAKE_CASE`);
  }
  let defaultValue: T | undefined;
  let defaultText: string | undefined;
  if (options.default !== undefined) {
    const parsed = parse(options.default);
    if (!parsed.ok) {
      throw new Error(`default of ${options.env} (${String(options.default)}) ${parsed.problem}`);
    }
    defaultValue = parsed.value;
    defaultText = showDefault(parsed.value);
  }
  return {
    kind,
    env: options.env,
    description: options.description ?? '',
    required: options.default === undefined && options.optional !== true,
    secret: options.secret === true,
    defaultValue,
    defaultText,
    allowed,
    parse,
  };
}

function asText(raw: unknown): string | undefined {
  if (typeof raw === 'string') return raw.trim();
  if (typeof raw === 'number' || typeof raw === 'boolean') return String(raw);
  return undefined;
}

function parseInteger(raw: unknown, min: number, max: number): ParseOutcome<number> {
  const text = asText(raw);
  if (text === undefined || !/^[-+]?\d+$/.test(text)) return bad(`is not an integer (allowed ${min}..${max})`);
  const value = Number(text);
  if (!Number.isSafeInteger(value) || value < min || value > max) return bad(`is out of range ${min}..${max}`);
  return ok(value);
}

function string<const O extends StringOptions>(options: O): Setting<Resolved<string, O>> {
  const minLength = options.minLength ?? 1;
  const allowed = options.pattern
    ? `text matching ${options.pattern}`
    : minLength <= 1
      ? 'non-empty text'
      : `text of at least ${minLength} characters`;
  return build<string>('string', options, allowed, (raw) => {
    const text = asText(raw);
    if (text === undefined) return bad('is not text');
    if (text.length < minLength) return bad(`is shorter than ${minLength} characters`);
    if (options.pattern && !options.pattern.test(text)) return bad(`does not match ${options.pattern}`);
    return ok(text);
  }) as Setting<Resolved<string, O>>;
}

function int<const O extends IntOptions>(options: O): Setting<Resolved<number, O>> {
  const min = options.min ?? Number.MIN_SAFE_INTEGER;
  const max = options.max ?? Number.MAX_SAFE_INTEGER;
  return build<number>('int', options, `${min}..${max}`, (raw) => parseInteger(raw, min, max)) as Setting<
    Resolved<number, O>
  >;
}

function number<const O extends IntOptions>(options: O): Setting<Resolved<number, O>> {
  const min = options.min ?? -Number.MAX_VALUE;
  const max = options.max ?? Number.MAX_VALUE;
  const range = `${options.min ?? '-∞'}..${options.max ?? '∞'}`;
  return build<number>('number', options, range, (raw) => {
    const text = asText(raw);
    const value = text === undefined || text === '' ? Number.NaN : Number(text);
    if (!Number.isFinite(value)) return bad(`is not a number (allowed ${range})`);
    if (value < min || value > max) return bad(`is out of range ${range}`);
    return ok(value);
  }) as Setting<Resolved<number, O>>;
}

function port<const O extends PortOptions>(options: O): Setting<Resolved<number, O>> {
  const min = options.allowZero === true ? 0 : 1;
  return build<number>('port', options, `${min}..65535`, (raw) => parseInteger(raw, min, 65535)) as Setting<
    Resolved<number, O>
  >;
}

function durationMs<const O extends DurationOptions>(options: O): Setting<Resolved<number, O>> {
  const min = options.min ?? 0;
  const max = options.max ?? Number.MAX_SAFE_INTEGER;
  const range = `${formatDurationMs(min)}..${options.max === undefined ? '∞' : formatDurationMs(max)}`;
  return build<number>(
    'durationMs',
    options,
    `a duration such as 250ms, 5s, 2m or milliseconds, ${range}`,
    (raw) => {
      const value = typeof raw === 'number' || typeof raw === 'string' ? parseDurationMs(raw) : undefined;
      if (value === undefined) return bad(`is not a duration (use e.g. 250ms, 5s, 2m; allowed ${range})`);
      if (value < min || value > max) return bad(`is out of range ${range}`);
      return ok(value);
    },
    formatDurationMs,
  ) as Setting<Resolved<number, O>>;
}

function enumSetting<const O extends EnumOptions>(options: O): Setting<Resolved<O['values'][number], O>> {
  const allowed = `one of ${options.values.join(', ')}`;
  return build<string>('enum', options, allowed, (raw) => {
    const text = asText(raw);
    if (text === undefined || !options.values.includes(text)) return bad(`is not ${allowed}`);
    return ok(text);
  }) as Setting<Resolved<O['values'][number], O>>;
}

const TRUE_WORDS = new Set(['true', '1', 'yes', 'on']);
const FALSE_WORDS = new Set(['false', '0', 'no', 'off']);

function bool<const O extends BoolOptions>(options: O): Setting<Resolved<boolean, O>> {
  return build<boolean>('bool', options, 'true/false (also 1/0, yes/no, on/off)', (raw) => {
    if (typeof raw === 'boolean') return ok(raw);
    const text = asText(raw)?.toLowerCase();
    if (text !== undefined && TRUE_WORDS.has(text)) return ok(true);
    if (text !== undefined && FALSE_WORDS.has(text)) return ok(false);
    return bad('is not a boolean (allowed true/false, 1/0, yes/no, on/off)');
  }) as Setting<Resolved<boolean, O>>;
}

function parseHostPortValue(raw: unknown): ParseOutcome<string> {
  const text = asText(raw);
  if (text === undefined) return bad('is not host:port');
  const parsed = parseHostPort(text);
  return typeof parsed === 'string' ? bad(parsed) : ok(text);
}

function hostPort<const O extends HostPortOptions>(options: O): Setting<Resolved<string, O>> {
  return build<string>('hostPort', options, 'host:port with port 1..65535', parseHostPortValue) as Setting<
    Resolved<string, O>
  >;
}

function list<const O extends ListOptions>(options: O): Setting<Resolved<string[], O>> {
  const itemKind = options.item ?? 'string';
  const minItems = options.minItems ?? 0;
  const allowed = `comma-separated ${itemKind === 'hostPort' ? 'host:port values' : 'values'}${
    minItems > 0 ? `, at least ${minItems}` : ''
  }`;
  return build<string[]>(
    'list',
    options,
    allowed,
    (raw) => {
      let items: unknown[];
      if (Array.isArray(raw)) items = raw;
      else {
        const text = asText(raw);
        if (text === undefined) return bad(`is not a list (${allowed})`);
        items = text.split(',');
      }
      const values: string[] = [];
      for (const [index, item] of items.entries()) {
        const text = asText(item);
        if (text === undefined) return bad(`has item ${index} that is not text`);
        if (text === '') continue;
        if (itemKind === 'hostPort') {
          const parsed = parseHostPort(text);
          if (typeof parsed === 'string') return bad(`has item '${text}' that ${parsed}`);
        }
        values.push(text);
      }
      if (values.length < minItems) return bad(`has ${values.length} items, fewer than ${minItems}`);
      return ok(values);
    },
    (value) => value.join(','),
  ) as Setting<Resolved<string[], O>>;
}

/** The setting helpers: `s.int({ env: 'HYPERSCALE_X', default: 3, min: 1, max: 10 })`. */
export const s = {
  string,
  int,
  number,
  port,
  durationMs,
  enum: enumSetting,
  bool,
  list,
  hostPort,
} as const;
