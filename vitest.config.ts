// One vitest configuration for the whole workspace. Workspace packages resolve to their
// TypeScript sources, so a test never depends on a stale build; tests that start real
// services (tests/e2e) run the built `dist/` entry points instead.
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vitest/config';

const root = fileURLToPath(new URL('.', import.meta.url));

function workspaceAliases(): { find: RegExp; replacement: string }[] {
  const aliases: { find: RegExp; replacement: string }[] = [];
  for (const group of ['packages', 'services']) {
    for (const name of readdirSync(join(root, group))) {
      const manifest = join(root, group, name, 'package.json');
      const entry = join(root, group, name, 'src', 'index.ts');
      if (!existsSync(manifest) || !existsSync(entry)) continue;
      const pkg = JSON.parse(readFileSync(manifest, 'utf8')) as { name: string };
      aliases.push({ find: new RegExp(`^${pkg.name.replace('/', '\\/')}$`), replacement: entry });
      // A package's shell entry point (`<name>/shell`), where it has one.
      const shell = join(root, group, name, 'src', 'shell', 'index.ts');
      if (existsSync(shell))
        aliases.push({ find: new RegExp(`^${pkg.name.replace('/', '\\/')}\\/shell$`), replacement: shell });
    }
  }
  return aliases;
}

export default defineConfig({
  resolve: { alias: workspaceAliases() },
  test: {
    include: [
      'test/**/*.test.ts',
      'packages/*/test/**/*.test.ts',
      'services/*/test/**/*.test.ts',
      'tests/**/*.test.ts',
    ],
    exclude: ['**/node_modules/**', '**/dist/**'],
    pool: 'forks',
    testTimeout: 20_000,
    hookTimeout: 60_000,
  },
});
