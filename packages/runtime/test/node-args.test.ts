import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { nodeArgsNotInEffect, serviceNodeArgs, warnWithoutNodeArgs } from '../src/index.js';
import { captureLogger } from './helpers.js';

function manifest(content: unknown): string {
  const path = join(mkdtempSync(join(tmpdir(), 'node-args-')), 'package.json');
  writeFileSync(path, JSON.stringify(content));
  return path;
}

describe('serviceNodeArgs', () => {
  it('reads hyperscale.nodeArgs, and none when the field is absent', () => {
    expect(serviceNodeArgs(manifest({ hyperscale: { nodeArgs: ['--max-semi-space-size=8'] } }))).toEqual([
      '--max-semi-space-size=8',
    ]);
    expect(serviceNodeArgs(manifest({ name: 'x' }))).toEqual([]);
  });

  it('refuses a malformed field, naming the file and the entry', () => {
    const notArray = manifest({ hyperscale: { nodeArgs: '--max-semi-space-size=8' } });
    expect(() => serviceNodeArgs(notArray)).toThrow(`${notArray}: hyperscale.nodeArgs must be an array`);
    const notFlag = manifest({ hyperscale: { nodeArgs: ['--expose-gc', 'dist/main.js'] } });
    expect(() => serviceNodeArgs(notFlag)).toThrow('hyperscale.nodeArgs[1] ("dist/main.js") is not a flag');
    expect(() => serviceNodeArgs(manifest({ hyperscale: { nodeArgs: ['--a --b'] } }))).toThrow('nodeArgs[0]');
  });
});

describe('nodeArgsNotInEffect', () => {
  const expected = ['--max-semi-space-size=8', '--expose-gc'];

  it('finds flags on the command line or in NODE_OPTIONS, spelt with dashes or underscores', () => {
    expect(nodeArgsNotInEffect(expected, ['--max_semi_space_size=8'], '--expose-gc')).toEqual([]);
    expect(nodeArgsNotInEffect(expected, [], ' --expose-gc  --max-semi-space-size=8 ')).toEqual([]);
  });

  it('lists what is missing, and a flag with another value counts as missing', () => {
    expect(nodeArgsNotInEffect(expected, ['--max-semi-space-size=16'], undefined)).toEqual(expected);
    expect(nodeArgsNotInEffect(expected, ['--expose-gc'], '')).toEqual(['--max-semi-space-size=8']);
  });
});

describe('warnWithoutNodeArgs', () => {
  const path = manifest({ hyperscale: { nodeArgs: ['--max-semi-space-size=8'] } });

  it('warns, naming the missing flags', () => {
    const { logger, lines } = captureLogger();
    expect(warnWithoutNodeArgs(path, logger, { execArgv: [], nodeOptions: undefined })).toEqual([
      '--max-semi-space-size=8',
    ]);
    expect(lines()).toMatchObject([{ level: 'warn', missing: ['--max-semi-space-size=8'] }]);
    expect(String(lines()[0]?.['msg'])).toContain('started without node flags --max-semi-space-size=8');
  });

  it('says nothing when the process carries them', () => {
    const { logger, lines } = captureLogger();
    warnWithoutNodeArgs(path, logger, { execArgv: ['--max-semi-space-size=8'], nodeOptions: undefined });
    expect(lines()).toEqual([]);
  });
});
