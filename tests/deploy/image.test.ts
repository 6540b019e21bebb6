// The images: each service pruned by deploy/scripts/prune-service.sh (the step its Dockerfile runs)
// installs from the frozen lockfile, offline from the local store, carries no dev dependency and no
// link back into the repository, and starts from a copy that has nothing else beside it: it prints
// its settings, serves /healthz on 127.0.0.1 and exits 0 on SIGTERM. The Dockerfiles themselves
// cannot be built here (no container engine), so their shape is checked by reading them.
import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import {
  existsSync,
  lstatSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  realpathSync,
  renameSync,
  rmSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join, sep } from 'node:path';
import { createInterface } from 'node:readline';
import { describeSettings, serviceNodeArgs } from '@hyperscale/runtime';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadFacts, ROLES, type Role } from './support/facts.js';
import { repoRoot } from './support/render.js';

const facts = loadFacts();
const work = mkdtempSync(join(tmpdir(), 'hyperscale-prune-'));
const pruned = new Map<Role, string>();

/** Names of build tools: root devDependencies no workspace package needs at run time. */
function buildTools(): string[] {
  const readJson = (path: string) => JSON.parse(readFileSync(path, 'utf8')) as Record<string, Record<string, string>>;
  const runtime = new Set<string>();
  for (const group of ['packages', 'services']) {
    for (const name of readdirSync(join(repoRoot, group))) {
      const manifest = join(repoRoot, group, name, 'package.json');
      if (existsSync(manifest))
        for (const dep of Object.keys(readJson(manifest)['dependencies'] ?? {})) runtime.add(dep);
    }
  }
  // @types/node is a run-time dependency of protobufjs (through @grpc/grpc-js), not our choice.
  return Object.keys(readJson(join(repoRoot, 'package.json'))['devDependencies'] ?? {}).filter(
    (name) => !runtime.has(name) && name !== '@types/node',
  );
}

function walk(dir: string, visit: (path: string, isLink: boolean) => void): void {
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    visit(path, entry.isSymbolicLink());
    if (entry.isDirectory() && !entry.isSymbolicLink()) walk(path, visit);
  }
}

function cleanEnv(extra: Record<string, string>): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [key, value] of Object.entries(process.env)) {
    if (!key.startsWith('HYPERSCALE_') && !key.startsWith('NODE_') && !key.startsWith('VITEST')) env[key] = value;
  }
  return { ...env, ...extra };
}

beforeAll(() => {
  for (const role of ROLES) {
    const service = facts.roles[role].service;
    if (!existsSync(join(repoRoot, 'services', service, 'dist', 'main.js')))
      throw new Error(`services/${service}/dist is missing: build the workspace first (pnpm exec tsc -b)`);
  }
  // Prune all three at once (about half a second each), then move each away from where pnpm put
  // it, so nothing can depend on the path it was installed at.
  const results = ROLES.map((role) => {
    const staging = join(work, `${role}-staging`);
    const result = spawnSync(
      join(repoRoot, 'deploy', 'scripts', 'prune-service.sh'),
      [facts.roles[role].service, staging, '--offline'],
      { cwd: repoRoot, encoding: 'utf8', env: cleanEnv({ CI: 'true' }) },
    );
    return { role, staging, result };
  });
  for (const { role, staging, result } of results) {
    if (result.status !== 0)
      throw new Error(`prune-service.sh ${role} failed (exit ${result.status}):\n${result.stdout}\n${result.stderr}`);
    const app = join(work, role, 'app');
    spawnSync('mkdir', ['-p', join(work, role)]);
    renameSync(staging, app);
    pruned.set(role, app);
  }
}, 120_000);

afterAll(() => {
  rmSync(work, { recursive: true, force: true });
});

/** The node flags the service's package.json declares (`hyperscale.nodeArgs`). */
function nodeArgsOf(role: Role): string[] {
  return serviceNodeArgs(join(repoRoot, 'services', facts.roles[role].service, 'package.json'));
}

function appOf(role: Role): string {
  const app = pruned.get(role);
  if (!app) throw new Error(`${role} was not pruned`);
  return app;
}

describe.each(ROLES)('pruned %s service', (role) => {
  const service = facts.roles[role].service;

  it('holds its dist and its production dependencies, and nothing that points outside it', () => {
    const app = appOf(role);
    expect(existsSync(join(app, 'dist', 'main.js'))).toBe(true);
    const manifest = JSON.parse(readFileSync(join(repoRoot, 'services', service, 'package.json'), 'utf8')) as {
      dependencies: Record<string, string>;
    };
    for (const dep of Object.keys(manifest.dependencies)) {
      expect(existsSync(join(app, 'node_modules', dep, 'package.json')), dep).toBe(true);
    }
    const root = realpathSync(app) + sep;
    const escapes: string[] = [];
    walk(join(app, 'node_modules'), (path, isLink) => {
      if (!isLink) return;
      const target = existsSync(path) ? realpathSync(path) : '<dangling>';
      if (!target.startsWith(root)) escapes.push(`${path} -> ${target}`);
    });
    expect(escapes).toEqual([]);
    const store = readdirSync(join(app, 'node_modules', '.pnpm'));
    const tools = buildTools();
    expect(tools).toContain('typescript');
    const dev = store.filter((entry) => tools.some((tool) => entry.startsWith(`${tool.replace('/', '+')}@`)));
    expect(dev).toEqual([]);
    expect(store.some((entry) => entry.startsWith('@hyperscale+client@'))).toBe(false);
    expect(lstatSync(join(app, 'node_modules', '@hyperscale', 'runtime')).isSymbolicLink()).toBe(true);
  });

  it('prints exactly the settings its definition lists', () => {
    const result = spawnSync(process.execPath, ['dist/main.js', '--print-settings'], {
      cwd: appOf(role),
      encoding: 'utf8',
      env: cleanEnv({}),
    });
    expect(result.stderr).toBe('');
    expect(result.status).toBe(0);
    const printed = result.stdout
      .trim()
      .split('\n')
      .map((line) => line.split(' ')[0]);
    expect(printed).toEqual(describeSettings(facts.roles[role].definition).map((d) => d.env));
  });

  it('starts on 127.0.0.1, serves /healthz, and exits 0 on SIGTERM', async () => {
    const required: Record<Role, Record<string, string>> = {
      gate: {},
      manager: { HYPERSCALE_DATACENTER: 'dc-test' },
      // Nothing listens there: the worker keeps retrying, which is all this test needs.
      worker: { HYPERSCALE_MANAGERS: '127.0.0.1:9' },
    };
    // Every port free (gRPC, admin, SWIM pools), so a running cluster or a parallel test never collides.
    const freePorts = Object.fromEntries(
      describeSettings(facts.roles[role].definition)
        .filter((d) => d.kind === 'port')
        .map((d) => [d.env, '0']),
    );
    // Started as its image starts it, with the flags of the pruned copy's own package.json.
    const child: ChildProcess = spawn(
      process.execPath,
      [...serviceNodeArgs(join(appOf(role), 'package.json')), 'dist/main.js'],
      {
        cwd: appOf(role),
        stdio: ['ignore', 'pipe', 'pipe'],
        env: cleanEnv({
          HYPERSCALE_NODE_ID: `${role}-prune-test`,
          HYPERSCALE_GRPC_HOST: '127.0.0.1',
          HYPERSCALE_ADMIN_HOST: '127.0.0.1',
          ...freePorts,
          HYPERSCALE_LOG_LEVEL: 'info',
          ...required[role],
        }),
      },
    );
    let stderr = '';
    const warnings: string[] = [];
    child.stderr?.on('data', (chunk: Buffer) => {
      stderr += chunk.toString();
    });
    const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
    try {
      const admin = await new Promise<string>((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error(`${service} did not report ready:\n${stderr}`)), 10_000);
        child.once('exit', (code) => reject(new Error(`${service} exited ${code} before it was ready:\n${stderr}`)));
        createInterface({ input: child.stdout as NodeJS.ReadableStream }).on('line', (line) => {
          try {
            const entry = JSON.parse(line) as { msg?: string; admin?: string };
            if (entry.msg?.startsWith('started without node flags')) warnings.push(entry.msg);
            if (entry.admin && entry.msg?.endsWith('ready')) {
              clearTimeout(timer);
              resolve(entry.admin);
            }
          } catch {
            // not a log line
          }
        });
      });
      expect(warnings).toEqual([]);
      const health = await fetch(`http://${admin}/healthz`);
      expect(health.status).toBe(200);
      expect(await health.json()).toEqual({ status: 'ok' });
      child.kill('SIGTERM');
      const code = await Promise.race([exited, new Promise<string>((r) => setTimeout(() => r('timeout'), 15_000))]);
      expect(code).toBe(0);
    } finally {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
    }
  }, 30_000);
});

describe.each(ROLES)('%s-svc node flags', (role) => {
  const service = join(repoRoot, 'services', facts.roles[role].service);
  const args = nodeArgsOf(role);

  it('are the same in the start script and the bin shebang as in package.json', () => {
    const manifest = JSON.parse(readFileSync(join(service, 'package.json'), 'utf8')) as {
      scripts: Record<string, string>;
    };
    expect(manifest.scripts['start']).toBe(['node', ...args, 'dist/main.js'].join(' '));
    const shebang = readFileSync(join(service, 'src', 'main.ts'), 'utf8').split('\n')[0];
    expect(shebang).toBe(args.length === 0 ? '#!/usr/bin/env node' : `#!/usr/bin/env -S node ${args.join(' ')}`);
  });
});

describe('Dockerfiles', () => {
  const dockerignore = readFileSync(join(repoRoot, '.dockerignore'), 'utf8').split('\n');

  it('keep installed modules and build output out of the build context', () => {
    expect(dockerignore).toContain('**/node_modules');
    expect(dockerignore).toContain('**/dist');
    expect(dockerignore).toContain('.git');
  });

  describe.each(ROLES)('%s-svc', (role) => {
    const service = facts.roles[role].service;
    const text = readFileSync(join(repoRoot, 'services', service, 'Dockerfile'), 'utf8');
    const stages = text.split(/^FROM\s/m).slice(1);
    const runtime = stages[stages.length - 1] ?? '';

    it('builds with a frozen lockfile and prunes with the tested script', () => {
      expect(stages.length).toBeGreaterThanOrEqual(2);
      expect(text).toMatch(/pnpm install --offline --frozen-lockfile/);
      expect(text).toContain(`tsc -b services/${service}`);
      expect(text).toContain(`deploy/scripts/prune-service.sh ${service} /out`);
      const pinned = /pnpm@(\S+)/.exec(text)?.[1];
      const packageManager = (
        JSON.parse(readFileSync(join(repoRoot, 'package.json'), 'utf8')) as { packageManager: string }
      ).packageManager;
      expect(`pnpm@${pinned}`).toBe(packageManager);
    });

    it('runs the pruned output only, as a non-root user, under tini', () => {
      expect(runtime).toMatch(/^COPY --from=build \/out\/ \/app\/$/m);
      expect(runtime).not.toMatch(/pnpm|npm install|COPY \. /);
      expect(facts.roles[role].imageUid).toBeGreaterThan(0);
      expect(runtime).toMatch(/^ENTRYPOINT \["\/usr\/bin\/tini", "--"\]$/m);
      const cmd = ['node', ...nodeArgsOf(role), 'dist/main.js'].map((arg) => JSON.stringify(arg)).join(', ');
      expect(runtime).toContain(`\nCMD [${cmd}]\n`);
      expect(runtime).toMatch(/apt-get install .*tini/);
    });

    it('uses a Node the workspace supports', () => {
      const image = /^ARG NODE_IMAGE=node:(\d+)\.(\d+)/m.exec(text);
      const engines = (
        JSON.parse(readFileSync(join(repoRoot, 'package.json'), 'utf8')) as { engines: { node: string } }
      ).engines.node;
      const [major, minor] = (/>=(\d+)\.(\d+)/.exec(engines) ?? []).slice(1).map(Number);
      expect(image).not.toBeNull();
      const [imageMajor, imageMinor] = [Number(image?.[1]), Number(image?.[2])];
      expect(imageMajor > (major ?? 0) || (imageMajor === major && imageMinor >= (minor ?? 0))).toBe(true);
    });
  });
});
