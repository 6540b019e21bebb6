#!/usr/bin/env node
// Makes a fresh clone runnable: finds pnpm 12.4.2 (or borrows it through npx), installs the
// workspace from the frozen lockfile and builds every package. Plain Node, no dependencies,
// because it runs before anything is installed.
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, statSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const PNPM_VERSION = '12.4.2';
const root = join(dirname(fileURLToPath(import.meta.url)), '..');

function pnpmCommand() {
  try {
    const version = execFileSync('pnpm', ['--version'], {
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'ignore'],
    }).trim();
    if (version === PNPM_VERSION) return ['pnpm'];
  } catch {
    // not installed: fall through to npx
  }
  return ['npx', '--yes', `pnpm@${PNPM_VERSION}`];
}

function run(cmd, args, what) {
  const started = Date.now();
  const result = spawnSync(cmd, args, {
    cwd: root,
    stdio: 'inherit',
    env: { ...process.env, TURBO_TELEMETRY_DISABLED: '1' },
  });
  if (result.status !== 0) {
    console.error(`bootstrap: ${what} failed (exit ${result.status ?? result.signal})`);
    process.exit(result.status ?? 1);
  }
  console.error(`bootstrap: ${what} done in ${((Date.now() - started) / 1000).toFixed(1)} s`);
}

function installIsCurrent() {
  const marker = join(root, 'node_modules', '.modules.yaml');
  const lock = join(root, 'pnpm-lock.yaml');
  return existsSync(marker) && statSync(marker).mtimeMs >= statSync(lock).mtimeMs;
}

const [pnpm, ...pnpmArgs] = pnpmCommand();
if (!installIsCurrent() || process.env.CI) run(pnpm, [...pnpmArgs, 'install', '--frozen-lockfile'], 'pnpm install');
run(join(root, 'node_modules', '.bin', 'tsc'), ['-b'], 'build (tsc -b)');
