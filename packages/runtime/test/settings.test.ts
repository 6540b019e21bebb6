import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, expectTypeOf, it } from 'vitest';
import {
  ConfigError,
  defineSettings,
  describeSettings,
  formatSettings,
  LOG_LEVELS,
  loadSettings,
  parseDurationMs,
  parseHostPort,
  s,
  splitHostPort,
} from '../src/index.js';

const definition = defineSettings({
  nodeId: s.string({ env: 'HYPERSCALE_NODE_ID', description: 'unique node id' }),
  grpcPort: s.port({ env: 'HYPERSCALE_GRPC_PORT', default: 7400 }),
  workers: s.int({ env: 'HYPERSCALE_WORKERS', default: 2, min: 1, max: 64 }),
  ratio: s.number({ env: 'HYPERSCALE_RATIO', default: 0.5, min: 0, max: 1 }),
  probeInterval: s.durationMs({ env: 'HYPERSCALE_PROBE_INTERVAL', default: '1s', min: 10, max: 60_000 }),
  logLevel: s.enum({ env: 'HYPERSCALE_LOG_LEVEL', values: LOG_LEVELS, default: 'info' }),
  tls: s.bool({ env: 'HYPERSCALE_TLS', default: false }),
  seeds: s.list({ env: 'HYPERSCALE_SEEDS', item: 'hostPort', default: [] }),
  tags: s.list({ env: 'HYPERSCALE_TAGS', default: 'a,b' }),
  gate: s.hostPort({ env: 'HYPERSCALE_GATE_ADDR', optional: true }),
  keyringKey: s.string({ env: 'HYPERSCALE_KEYRING_KEY', optional: true, secret: true, minLength: 16 }),
});

function problemsOf(fn: () => unknown): string[] {
  try {
    fn();
  } catch (error) {
    expect(error).toBeInstanceOf(ConfigError);
    return (error as ConfigError).problems.map((p) => `${p.env}: ${p.message}`);
  }
  throw new Error('expected a ConfigError');
}

describe('loadSettings', () => {
  it('applies defaults and infers the result type', () => {
    const settings = loadSettings(definition, { env: { HYPERSCALE_NODE_ID: 'gate-1' } });
    expect(settings).toEqual({
      nodeId: 'gate-1',
      grpcPort: 7400,
      workers: 2,
      ratio: 0.5,
      probeInterval: 1000,
      logLevel: 'info',
      tls: false,
      seeds: [],
      tags: ['a', 'b'],
      gate: undefined,
      keyringKey: undefined,
    });
    expectTypeOf(settings.grpcPort).toEqualTypeOf<number>();
    expectTypeOf(settings.nodeId).toEqualTypeOf<string>();
    expectTypeOf(settings.gate).toEqualTypeOf<string | undefined>();
    expectTypeOf(settings.logLevel).toEqualTypeOf<(typeof LOG_LEVELS)[number]>();
    expectTypeOf(settings.seeds).toEqualTypeOf<string[]>();
    expectTypeOf(settings.tls).toEqualTypeOf<boolean>();
  });

  it('parses every type from environment text', () => {
    const settings = loadSettings(definition, {
      env: {
        HYPERSCALE_NODE_ID: ' mgr-2 ',
        HYPERSCALE_GRPC_PORT: '65535',
        HYPERSCALE_WORKERS: '64',
        HYPERSCALE_RATIO: '0.25',
        HYPERSCALE_PROBE_INTERVAL: '250ms',
        HYPERSCALE_LOG_LEVEL: 'debug',
        HYPERSCALE_TLS: 'yes',
        HYPERSCALE_SEEDS: '127.0.0.1:7946, node-b.svc:7946,[::1]:7000',
        HYPERSCALE_TAGS: 'x',
        HYPERSCALE_GATE_ADDR: 'gate-0.gates:7400',
        HYPERSCALE_KEYRING_KEY: '0123456789abcdef0123',
      },
    });
    expect(settings).toMatchObject({
      nodeId: 'mgr-2',
      grpcPort: 65535,
      workers: 64,
      ratio: 0.25,
      probeInterval: 250,
      logLevel: 'debug',
      tls: true,
      seeds: ['127.0.0.1:7946', 'node-b.svc:7946', '[::1]:7000'],
      tags: ['x'],
      gate: 'gate-0.gates:7400',
      keyringKey: '0123456789abcdef0123',
    });
  });

  it('reports every bad key with its allowed range in one error', () => {
    const problems = problemsOf(() =>
      loadSettings(definition, {
        env: {
          HYPERSCALE_GRPC_PORT: '70000',
          HYPERSCALE_WORKERS: 'many',
          HYPERSCALE_RATIO: '2',
          HYPERSCALE_PROBE_INTERVAL: '5 parsecs',
          HYPERSCALE_LOG_LEVEL: 'verbose',
          HYPERSCALE_TLS: 'maybe',
          HYPERSCALE_SEEDS: '127.0.0.1:7946,nohost',
          HYPERSCALE_GATE_ADDR: 'gate:0',
          HYPERSCALE_KEYRING_KEY: 'short-secret',
        },
      }),
    );
    expect(problems).toEqual([
      'HYPERSCALE_NODE_ID: required but not set (unique node id); allowed non-empty text',
      'HYPERSCALE_GRPC_PORT: 70000 is out of range 1..65535',
      "HYPERSCALE_WORKERS: 'many' is not an integer (allowed 1..64)",
      'HYPERSCALE_RATIO: 2 is out of range 0..1',
      "HYPERSCALE_PROBE_INTERVAL: '5 parsecs' is not a duration (use e.g. 250ms, 5s, 2m; allowed 10ms..1m)",
      "HYPERSCALE_LOG_LEVEL: 'verbose' is not one of fatal, error, warn, info, debug, trace, silent",
      "HYPERSCALE_TLS: 'maybe' is not a boolean (allowed true/false, 1/0, yes/no, on/off)",
      "HYPERSCALE_SEEDS: '127.0.0.1:7946,nohost' has item 'nohost' that is not host:port",
      "HYPERSCALE_GATE_ADDR: 'gate:0' has port 0 out of range 1..65535",
      'HYPERSCALE_KEYRING_KEY: <secret> is shorter than 16 characters',
    ]);
  });

  it('puts the problems in the error message, one line each', () => {
    expect(() => loadSettings(definition, { env: { HYPERSCALE_NODE_ID: 'n', HYPERSCALE_GRPC_PORT: '70000' } })).toThrow(
      'invalid configuration:\n  HYPERSCALE_GRPC_PORT: 70000 is out of range 1..65535',
    );
  });

  it('checks duration ranges and port 0 only when allowed', () => {
    const local = defineSettings({
      timeout: s.durationMs({ env: 'HYPERSCALE_TIMEOUT', default: '5s', min: 100, max: 120_000 }),
      port: s.port({ env: 'HYPERSCALE_PORT', default: 0, allowZero: true }),
      strictPort: s.port({ env: 'HYPERSCALE_STRICT_PORT', default: 1 }),
    });
    expect(loadSettings(local, { env: { HYPERSCALE_TIMEOUT: '2m' } })).toEqual({
      timeout: 120_000,
      port: 0,
      strictPort: 1,
    });
    expect(
      problemsOf(() => loadSettings(local, { env: { HYPERSCALE_TIMEOUT: '3m', HYPERSCALE_STRICT_PORT: '0' } })),
    ).toEqual([
      "HYPERSCALE_TIMEOUT: '3m' is out of range 100ms..2m",
      'HYPERSCALE_STRICT_PORT: 0 is out of range 1..65535',
    ]);
  });

  it('treats an empty environment variable as unset', () => {
    expect(loadSettings(definition, { env: { HYPERSCALE_NODE_ID: 'n', HYPERSCALE_GRPC_PORT: '' } }).grpcPort).toBe(
      7400,
    );
  });
});

describe('YAML file', () => {
  const dir = mkdtempSync(join(tmpdir(), 'runtime-settings-'));
  const write = (name: string, text: string): string => {
    const path = join(dir, name);
    writeFileSync(path, text);
    return path;
  };

  it('reads camelCase keys and env names with typed YAML values; the environment wins', () => {
    const file = write(
      'ok.yaml',
      [
        'nodeId: from-file',
        'HYPERSCALE_GRPC_PORT: 7500',
        'probeInterval: 2s',
        'tls: true',
        'seeds:',
        '  - 127.0.0.1:1',
        '  - 127.0.0.1:2',
        'workers: 8',
      ].join('\n'),
    );
    const settings = loadSettings(definition, { file, env: { HYPERSCALE_WORKERS: '3' } });
    expect(settings).toMatchObject({
      nodeId: 'from-file',
      grpcPort: 7500,
      probeInterval: 2000,
      tls: true,
      seeds: ['127.0.0.1:1', '127.0.0.1:2'],
      workers: 3,
    });
  });

  it('names the file for bad values and rejects unknown keys', () => {
    const file = write('bad.yaml', 'nodeId: n\ngrpcPort: 99999\nprobeIntervall: 1s\n');
    expect(problemsOf(() => loadSettings(definition, { file, env: {} }))).toEqual([
      `${file}: unknown setting 'probeIntervall'`,
      `HYPERSCALE_GRPC_PORT: 99999 is out of range 1..65535 (from ${file})`,
    ]);
  });

  it('reports an unreadable or malformed file', () => {
    const missing = join(dir, 'missing.yaml');
    expect(problemsOf(() => loadSettings(definition, { file: missing, env: { HYPERSCALE_NODE_ID: 'n' } }))[0]).toMatch(
      new RegExp(`^${missing}: cannot read the config file`),
    );
    const list = write('list.yaml', '- a\n- b\n');
    expect(problemsOf(() => loadSettings(definition, { file: list, env: { HYPERSCALE_NODE_ID: 'n' } }))).toEqual([
      `${list}: the config file must be a YAML mapping of setting names to values`,
    ]);
  });
});

describe('definitions', () => {
  it('describes every setting for deploy manifests, hiding secret defaults', () => {
    const described = describeSettings(definition);
    expect(described.find((d) => d.key === 'nodeId')).toEqual({
      key: 'nodeId',
      env: 'HYPERSCALE_NODE_ID',
      kind: 'string',
      required: true,
      default: undefined,
      description: 'unique node id',
      allowed: 'non-empty text',
      secret: false,
    });
    expect(described.find((d) => d.key === 'probeInterval')).toMatchObject({ required: false, default: '1s' });
    expect(described.find((d) => d.key === 'gate')).toMatchObject({ required: false, default: undefined });
    expect(described.map((d) => d.env)).toHaveLength(11);
    expect(formatSettings(definition).split('\n')[0]).toBe(
      'HYPERSCALE_NODE_ID (required; non-empty text) — unique node id',
    );
  });

  it('rejects a bad default, a bad env name and duplicate env names when defined', () => {
    expect(() => s.port({ env: 'HYPERSCALE_P', default: 70000 })).toThrow(
      'default of HYPERSCALE_P (70000) is out of range 1..65535',
    );
    expect(() => s.enum({ env: 'HYPERSCALE_E', values: ['a', 'b'], default: 'c' })).toThrow(/is not one of a, b/);
    expect(() => s.int({ env: 'hyperscale_lower' })).toThrow(/UPPER_SNAKE_CASE/);
    expect(() =>
      defineSettings({
        a: s.int({ env: 'HYPERSCALE_SAME', default: 1 }),
        b: s.int({ env: 'HYPERSCALE_SAME', default: 2 }),
      }),
    ).toThrow(/same env name HYPERSCALE_SAME/);
  });
});

describe('parsers', () => {
  it('parses durations', () => {
    expect(parseDurationMs('250ms')).toBe(250);
    expect(parseDurationMs('5s')).toBe(5000);
    expect(parseDurationMs('1.5s')).toBe(1500);
    expect(parseDurationMs('2m')).toBe(120_000);
    expect(parseDurationMs('1h')).toBe(3_600_000);
    expect(parseDurationMs('1500')).toBe(1500);
    expect(parseDurationMs(42)).toBe(42);
    expect(parseDurationMs('-1s')).toBeUndefined();
    expect(parseDurationMs('5d')).toBeUndefined();
    expect(parseDurationMs(Number.NaN)).toBeUndefined();
  });

  it('parses host:port', () => {
    expect(parseHostPort('127.0.0.1:7400')).toEqual({ host: '127.0.0.1', port: 7400 });
    expect(parseHostPort('[::1]:80')).toEqual({ host: '::1', port: 80 });
    expect(parseHostPort('gate')).toBe('is not host:port');
    expect(parseHostPort('gate:http')).toBe('has a port that is not a number');
    expect(parseHostPort('ga te:1')).toBe('has an invalid host');
  });

  it('splits a peer-given address without throwing', () => {
    expect(splitHostPort('[::1]:80')).toEqual({ host: '::1', port: 80 });
    expect(splitHostPort('10.0.0.5:7200')).toEqual({ host: '10.0.0.5', port: 7200 });
    expect(splitHostPort('not an address')).toEqual({ host: 'not an address', port: 0 });
  });
});
