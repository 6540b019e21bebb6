// Renders the kustomize overlays under deploy/overlays with `kubectl kustomize`, the same renderer
// `kubectl apply -k` uses. kubectl is required: without it the deploy tests fail with a hint on how
// to install it, they are never skipped.
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync } from 'node:fs';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseAllDocuments } from 'yaml';

export const repoRoot = fileURLToPath(new URL('../../../', import.meta.url));
export const overlaysDir = join(repoRoot, 'deploy', 'overlays');

/** A rendered Kubernetes object, before schema validation tells us more about its shape. */
export interface K8sObject {
  apiVersion: string;
  kind: string;
  metadata: {
    name: string;
    namespace?: string;
    labels?: Record<string, string>;
    annotations?: Record<string, string>;
  };
  [field: string]: unknown;
}

export interface RenderedOverlay {
  /** Path below deploy/overlays, e.g. "multi-dc/eu-west". */
  name: string;
  objects: K8sObject[];
}

const INSTALL_HINT =
  'kubectl is required by the deploy tests (they render deploy/overlays with `kubectl kustomize`, which works ' +
  'offline). Install kubectl >= 1.27 (it bundles kustomize 5): https://kubernetes.io/docs/tasks/tools/ — e.g. ' +
  '`curl -LO https://dl.k8s.io/release/v1.32.4/bin/linux/amd64/kubectl && sudo install kubectl /usr/local/bin/`, ' +
  'or `brew install kubectl`.';

/** Throws with an install hint when kubectl cannot run. */
export function requireKubectl(): void {
  const probe = spawnSync('kubectl', ['version', '--client'], { encoding: 'utf8' });
  if (probe.error || probe.status !== 0) {
    const why = probe.error ? probe.error.message : (probe.stderr || `exit ${probe.status}`).trim();
    throw new Error(`${INSTALL_HINT}\n(kubectl version --client: ${why})`);
  }
}

/** Every directory under deploy/overlays that holds a kustomization.yaml (nested ones included). */
export function discoverOverlays(dir = overlaysDir): string[] {
  const found: string[] = [];
  const walk = (current: string): void => {
    if (existsSync(join(current, 'kustomization.yaml'))) found.push(relative(dir, current));
    for (const entry of readdirSync(current, { withFileTypes: true })) {
      if (entry.isDirectory()) walk(join(current, entry.name));
    }
  };
  walk(dir);
  return found.sort();
}

export function renderDirectory(dir: string): K8sObject[] {
  const result = spawnSync('kubectl', ['kustomize', dir], { encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 });
  if (result.error) throw new Error(`${INSTALL_HINT}\n(${result.error.message})`);
  if (result.status !== 0) throw new Error(`kubectl kustomize ${dir} failed:\n${result.stderr}`);
  const objects: K8sObject[] = [];
  for (const document of parseAllDocuments(result.stdout)) {
    if (document.errors.length > 0) throw new Error(`${dir}: bad YAML from kustomize: ${document.errors[0]?.message}`);
    const value: unknown = document.toJS();
    if (value === null || value === undefined) continue;
    objects.push(value as K8sObject);
  }
  return objects;
}

export function renderOverlay(name: string): RenderedOverlay {
  return { name, objects: renderDirectory(join(overlaysDir, name)) };
}
