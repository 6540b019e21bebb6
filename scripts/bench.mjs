#!/usr/bin/env node
// `pnpm bench <name>`: builds the workspace, then runs bench/<name>.ts. Each benchmark prints
// human-readable lines and, as its last stdout line, one JSON object with its figures.
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const name = process.argv[2];
const available = readdirSync(join(root, 'bench'))
  .filter((f) => f.endsWith('.ts'))
  .map((f) => f.replace(/\.ts$/, ''));
if (!name || !available.includes(name)) {
  console.error(`usage: pnpm bench <name>   (available: ${available.join(', ') || 'none'})`);
  process.exit(2);
}
const build = spawnSync(join(root, 'node_modules', '.bin', 'tsc'), ['-b'], { cwd: root, stdio: 'inherit' });
if (build.status !== 0) process.exit(build.status ?? 1);
const script = join(root, 'bench', `${name}.ts`);
if (!existsSync(script)) process.exit(2);
const run = spawnSync(process.execPath, ['--import', 'tsx', script, ...process.argv.slice(3)], {
  cwd: join(root, 'bench'),
  stdio: 'inherit',
});
process.exit(run.status ?? 1);
