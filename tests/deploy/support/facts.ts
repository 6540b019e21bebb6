// What the checks compare the manifests with, read from the code itself: each service's settings
// definition (its one list of environment keys), the time its shutdown steps may take (the
// timeoutMs of each step in its main.ts), the admin paths the runtime serves, and the user its
// Dockerfile runs as.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { gateSettings } from '@hyperscale/gate-svc';
import { managerSettings } from '@hyperscale/manager-svc';
import type { SettingsDefinition } from '@hyperscale/runtime';
import { workerSettings } from '@hyperscale/worker-svc';
import { repoRoot } from './render.js';

export type Role = 'gate' | 'manager' | 'worker';
export const ROLES: readonly Role[] = ['gate', 'manager', 'worker'];

export interface RoleFacts {
  role: Role;
  /** The package folder and image name, e.g. gate-svc. */
  service: string;
  /** Gates and managers are voter sets with stable ordinals; workers are interchangeable. */
  workloadKind: 'StatefulSet' | 'Deployment';
  definition: SettingsDefinition;
  /** Each shutdown step's timeoutMs expression from main.ts, e.g. "6_000" or "settings.drainTimeout + 5_000". */
  shutdownTimeouts: string[];
  /** The numeric uid the image's final stage runs as. */
  imageUid: number | undefined;
  /** EXPOSE lines of the image, e.g. ["7100/tcp", "7101/tcp"]. */
  imageExposes: string[];
}

export interface Facts {
  roles: Record<Role, RoleFacts>;
  /** Paths the admin HTTP server (packages/runtime) serves. */
  adminPaths: Set<string>;
}

function read(...parts: string[]): string {
  return readFileSync(join(repoRoot, ...parts), 'utf8');
}

export function shutdownTimeoutsOf(mainSource: string): string[] {
  const start = mainSource.indexOf('installShutdown(');
  if (start < 0) return [];
  return [...mainSource.slice(start).matchAll(/timeoutMs:\s*([^,}\n]+)/g)].map((m) => (m[1] ?? '').trim());
}

/** The last stage's USER (numeric) and EXPOSE entries of a Dockerfile. */
export function imageFactsOf(dockerfile: string): { uid: number | undefined; exposes: string[] } {
  const stages = dockerfile.split(/^FROM\s/m);
  const last = stages[stages.length - 1] ?? '';
  const user = /^USER\s+(\d+)(?::\d+)?\s*$/m.exec(last);
  const exposes = [...last.matchAll(/^EXPOSE\s+(.+)$/gm)].flatMap((m) => (m[1] ?? '').trim().split(/\s+/));
  return { uid: user ? Number(user[1]) : undefined, exposes };
}

function roleFacts(role: Role, definition: SettingsDefinition): RoleFacts {
  const service = `${role}-svc`;
  const image = imageFactsOf(read('services', service, 'Dockerfile'));
  return {
    role,
    service,
    workloadKind: role === 'worker' ? 'Deployment' : 'StatefulSet',
    definition,
    shutdownTimeouts: shutdownTimeoutsOf(read('services', service, 'src', 'main.ts')),
    imageUid: image.uid,
    imageExposes: image.exposes,
  };
}

export function loadFacts(): Facts {
  const adminSource = read('packages', 'runtime', 'src', 'admin-server.ts');
  // Routes the admin server serves itself: app.get('/x', …) and serveJson('/x', …).
  const adminPaths = new Set([...adminSource.matchAll(/(?:app\.get|serveJson)\(\s*'([^']+)'/g)].map((m) => m[1] ?? ''));
  return {
    roles: {
      gate: roleFacts('gate', gateSettings),
      manager: roleFacts('manager', managerSettings),
      worker: roleFacts('worker', workerSettings),
    },
    adminPaths,
  };
}
