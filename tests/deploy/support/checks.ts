// The semantic checks on a rendered overlay: what a schema cannot see. Each check returns readable
// problems (an empty list means the manifests agree with the code). They take the facts (settings
// definitions, shutdown budgets, image user) as an argument so the tests can prove each check
// fails on a broken manifest or on a service that gained a setting (a voter list, a SWIM pool) the
// manifests do not carry yet.
import { ConfigError, describeSettings, loadSettings, type SettingDescription } from '@hyperscale/runtime';
import type { IDeployment } from 'kubernetes-models/apps/v1/Deployment';
import type { IStatefulSet } from 'kubernetes-models/apps/v1/StatefulSet';
import type { INetworkPolicy } from 'kubernetes-models/networking.k8s.io/v1/NetworkPolicy';
import type { INetworkPolicyPeer } from 'kubernetes-models/networking.k8s.io/v1/NetworkPolicyPeer';
import type { IPodDisruptionBudget } from 'kubernetes-models/policy/v1/PodDisruptionBudget';
import type { IContainer } from 'kubernetes-models/v1/Container';
import type { IEnvVar } from 'kubernetes-models/v1/EnvVar';
import type { IPodSpec } from 'kubernetes-models/v1/PodSpec';
import type { IService } from 'kubernetes-models/v1/Service';
import type { Facts, Role, RoleFacts } from './facts.js';
import { ROLES } from './facts.js';
import type { K8sObject, RenderedOverlay } from './render.js';
import { describeObject } from './schema.js';

export const COMPONENT_LABEL = 'app.kubernetes.io/component';
export const VOTERS_ANNOTATION = 'hyperscale.dev/voters';
/** Stand-in pod IP for resolving `status.podIP` while parsing settings; never dialled. */
const EXAMPLE_POD_IP = '192.0.2.10';
/** Environment variables that are not settings: downward-API helpers the settings refer to. */
const HELPER_ENV = new Set(['POD_NAME', 'POD_NAMESPACE', 'POD_IP', 'NODE_OPTIONS']);
const ANY_ADDRESS = new Set(['0.0.0.0', '::']);

type Labels = Record<string, string>;
type Protocol = 'TCP' | 'UDP' | 'SCTP';

interface LabelSelector {
  matchLabels?: Labels;
  matchExpressions?: { key: string; operator: string; values?: string[] }[];
}

/** One workload (StatefulSet or Deployment) of a role, with what the checks need from it. */
export interface Workload {
  object: K8sObject;
  role: Role;
  facts: RoleFacts;
  namespace: string;
  name: string;
  replicas: number;
  podLabels: Labels;
  podSpec: IPodSpec;
  container: IContainer | undefined;
  /** Pod names: name-0..n-1 for a StatefulSet, one example name for a Deployment. */
  podNames: string[];
  /** Resolved env per pod (same order as podNames), after Kubernetes' $(VAR) expansion. */
  envs: Record<string, string>[];
  /** Settings as the service would load them from envs[0]; undefined when they do not load. */
  settings: Record<string, unknown> | undefined;
  descriptions: SettingDescription[];
}

export function selectorMatches(selector: LabelSelector | undefined, labels: Labels): boolean {
  if (!selector) return false;
  const matchLabels = selector.matchLabels ?? {};
  const expressions = selector.matchExpressions ?? [];
  if (Object.keys(matchLabels).length === 0 && expressions.length === 0) return true;
  for (const [key, value] of Object.entries(matchLabels)) if (labels[key] !== value) return false;
  for (const e of expressions) {
    const has = Object.hasOwn(labels, e.key);
    const value = labels[e.key];
    if (e.operator === 'In' && !(has && (e.values ?? []).includes(value ?? ''))) return false;
    if (e.operator === 'NotIn' && has && (e.values ?? []).includes(value ?? '')) return false;
    if (e.operator === 'Exists' && !has) return false;
    if (e.operator === 'DoesNotExist' && has) return false;
  }
  return true;
}

function mapSelectorMatches(selector: Labels | undefined, labels: Labels): boolean {
  if (!selector || Object.keys(selector).length === 0) return false;
  return Object.entries(selector).every(([k, v]) => labels[k] === v);
}

/** Kubernetes quantities, enough for cpu and memory: 500m, 2, 1.5, 512Mi, 1Gi, 1G. */
export function parseQuantity(value: string | number | undefined): number | undefined {
  if (value === undefined) return undefined;
  if (typeof value === 'number') return value;
  const m = /^([0-9.]+)(m|k|M|G|T|Ki|Mi|Gi|Ti)?$/.exec(value.trim());
  if (!m) return undefined;
  const factor: Record<string, number> = {
    '': 1,
    m: 0.001,
    k: 1e3,
    M: 1e6,
    G: 1e9,
    T: 1e12,
    Ki: 1024,
    Mi: 1024 ** 2,
    Gi: 1024 ** 3,
    Ti: 1024 ** 4,
  };
  return Number(m[1]) * (factor[m[2] ?? ''] ?? Number.NaN);
}

function isNamespaced(object: K8sObject): boolean {
  return object.kind !== 'Namespace';
}

/** Kubernetes' env resolution for one pod: downward API, resource fields, $(VAR) expansion. */
export function resolveEnv(
  env: readonly IEnvVar[],
  pod: { name: string; namespace: string; labels: Labels; annotations: Labels; spec: IPodSpec },
): { values: Record<string, string>; problems: string[] } {
  const values: Record<string, string> = {};
  const problems: string[] = [];
  // A secretKeyRef is left unresolved: the Secret is never committed, so the settings load as they
  // would without it (it is optional); checkSettings decides whether the key may come from a Secret.
  for (const variable of env) {
    let value: string | undefined;
    const from = variable.valueFrom;
    if (variable.value !== undefined) {
      value = variable.value.replace(/\$\(([A-Za-z_][A-Za-z0-9_]*)\)/g, (whole, name: string) => {
        if (Object.hasOwn(values, name)) return values[name] ?? '';
        problems.push(`${variable.name} refers to $(${name}), which is not defined before it in the env list`);
        return whole;
      });
    } else if (from?.fieldRef) {
      const path = from.fieldRef.fieldPath;
      const label = /^metadata\.labels\['([^']+)'\]$/.exec(path);
      const annotation = /^metadata\.annotations\['([^']+)'\]$/.exec(path);
      if (path === 'metadata.name') value = pod.name;
      else if (path === 'metadata.namespace') value = pod.namespace;
      else if (path === 'status.podIP') value = EXAMPLE_POD_IP;
      else if (label) {
        value = pod.labels[label[1] ?? ''];
        if (value === undefined)
          problems.push(`${variable.name} reads pod label ${label[1]}, which the pod does not have`);
      } else if (annotation) {
        value = pod.annotations[annotation[1] ?? ''];
        if (value === undefined)
          problems.push(`${variable.name} reads pod annotation ${annotation[1]}, which the pod does not have`);
      } else problems.push(`${variable.name} uses fieldRef ${path}, which these checks do not resolve`);
    } else if (from?.resourceFieldRef) {
      const ref = from.resourceFieldRef;
      const container = pod.spec.containers.find((c) => c.name === ref.containerName);
      const [section, resource] = ref.resource.split('.') as ['limits' | 'requests', string];
      const amount = parseQuantity(container?.resources?.[section]?.[resource] as string | undefined);
      const divisor = parseQuantity((ref.divisor as string | undefined) ?? '1') ?? 1;
      if (!container) problems.push(`${variable.name} reads resources of a container named ${ref.containerName}`);
      else if (amount === undefined) problems.push(`${variable.name} reads ${ref.resource}, which is not set`);
      else value = String(Math.ceil(amount / divisor));
    } else if (from?.configMapKeyRef) {
      problems.push(`${variable.name} comes from a ConfigMap key, which these checks cannot verify`);
    }
    if (value !== undefined) values[variable.name] = value;
  }
  return { values, problems };
}

function settingByEnv(descriptions: SettingDescription[], env: string): SettingDescription | undefined {
  return descriptions.find((d) => d.env === env);
}

function effective(w: Workload, env: string): unknown {
  const d = settingByEnv(w.descriptions, env);
  return d && w.settings ? w.settings[d.key] : undefined;
}

function isPeerPortSetting(d: SettingDescription): boolean {
  return isPeerPortEnv(d.env);
}

function isPeerPortEnv(env: string): boolean {
  return /SWIM|GOSSIP/.test(env);
}

/**
 * SWIM pools, named by their settings: HYPERSCALE_GLOBAL_SWIM_* is the global pool (its members,
 * gates and managers, span namespaces and clusters), HYPERSCALE_SWIM_* a datacenter pool (managers
 * and workers of one namespace). The members are the roles whose settings define the pool's port.
 */
export type PoolScope = 'global' | 'datacenter';

export function poolScopeOf(env: string): PoolScope {
  return /GLOBAL/.test(env) ? 'global' : 'datacenter';
}

/** The roles that join the pool whose port setting is `portEnv`. */
export function poolMembers(facts: Facts, portEnv: string): Role[] {
  return ROLES.filter((role) => describeSettings(facts.roles[role].definition).some((d) => d.env === portEnv));
}

/** The role whose stable pods seed a pool: gates for the global pool, managers for a datacenter pool. */
const SEED_ROLE: Record<PoolScope, Role> = { global: 'gate', datacenter: 'manager' };

/** A pool setting next to its port, e.g. HYPERSCALE_SWIM_PORT → HYPERSCALE_SWIM_SEEDS. */
function poolSetting(portEnv: string, suffix: 'ADVERTISE_ADDRESS' | 'SEEDS' | 'PROFILE'): string {
  return portEnv.replace(/_PORT$/, `_${suffix}`);
}

/** A pod of `role` as labelled like `w`'s pods (same app and datacenter labels, another component). */
function podOfRole(w: Workload, role: Role): Labels {
  return { ...w.podLabels, [COMPONENT_LABEL]: role };
}

/** The (port, protocol) pairs a role's container must expose: every port setting; SWIM ones on UDP and TCP. */
export function expectedPorts(w: Workload): { port: number; protocol: Protocol; env: string }[] {
  const out: { port: number; protocol: Protocol; env: string }[] = [];
  for (const d of w.descriptions) {
    if (d.kind !== 'port') continue;
    const port = w.settings?.[d.key];
    if (typeof port !== 'number') continue;
    if (isPeerPortSetting(d)) {
      out.push({ port, protocol: 'UDP', env: d.env }, { port, protocol: 'TCP', env: d.env });
    } else out.push({ port, protocol: 'TCP', env: d.env });
  }
  return out;
}

function containerPort(
  w: Workload,
  ref: string | number | undefined,
  protocol: Protocol,
): { port: number; name?: string } | undefined {
  for (const p of w.container?.ports ?? []) {
    const proto = (p.protocol ?? 'TCP') as Protocol;
    if (proto !== protocol) continue;
    if (typeof ref === 'number' && p.containerPort === ref) return { port: p.containerPort, name: p.name };
    if (typeof ref === 'string' && p.name === ref) return { port: p.containerPort, name: p.name };
  }
  return undefined;
}

function portKey(port: number, protocol: string): string {
  return `${port}/${protocol}`;
}

/** Collects the workloads of an overlay: every StatefulSet or Deployment with a component label. */
export function workloadsOf(rendered: RenderedOverlay, facts: Facts): { workloads: Workload[]; problems: string[] } {
  const workloads: Workload[] = [];
  const problems: string[] = [];
  for (const object of rendered.objects) {
    if (object.kind !== 'StatefulSet' && object.kind !== 'Deployment') continue;
    const where = describeObject(object);
    const role = object.metadata.labels?.[COMPONENT_LABEL] as Role | undefined;
    if (!role || !ROLES.includes(role)) {
      problems.push(`${where}: label ${COMPONENT_LABEL} must name a role (${ROLES.join(', ')})`);
      continue;
    }
    const roleFacts = facts.roles[role];
    const spec = (object as unknown as IStatefulSet | IDeployment).spec;
    if (!spec) {
      problems.push(`${where}: no spec`);
      continue;
    }
    const podSpec = spec.template.spec as IPodSpec;
    const podLabels = (spec.template.metadata?.labels ?? {}) as Labels;
    const annotations = (spec.template.metadata?.annotations ?? {}) as Labels;
    const namespace = object.metadata.namespace ?? '';
    const replicas = spec.replicas ?? 1;
    const container = podSpec.containers.find((c) => c.name === role);
    const podNames =
      object.kind === 'StatefulSet'
        ? Array.from({ length: replicas }, (_, i) => `${object.metadata.name}-${i}`)
        : [`${object.metadata.name}-7d9f8b6c5d-x2x4q`];
    const descriptions = describeSettings(roleFacts.definition);
    const envs: Record<string, string>[] = [];
    let settings: Record<string, unknown> | undefined;
    if (!container) problems.push(`${where}: no container named ${role}`);
    for (const [i, podName] of podNames.entries()) {
      const resolved = resolveEnv(container?.env ?? [], {
        name: podName,
        namespace,
        labels: podLabels,
        annotations,
        spec: podSpec,
      });
      envs.push(resolved.values);
      if (i === 0) {
        for (const p of resolved.problems) problems.push(`${where}: ${p}`);
        try {
          settings = loadSettings(roleFacts.definition, { env: resolved.values }) as Record<string, unknown>;
        } catch (error) {
          if (!(error instanceof ConfigError)) throw error;
          problems.push(`${where}: ${roleFacts.service} would refuse to start: ${error.message}`);
        }
      }
    }
    workloads.push({
      object,
      role,
      facts: roleFacts,
      namespace,
      name: object.metadata.name,
      replicas,
      podLabels,
      podSpec,
      container,
      podNames,
      envs,
      settings,
      descriptions,
    });
  }
  return { workloads, problems };
}

/** One source of settings: only keys the service knows, every required one set, nothing unverifiable. */
export function checkSettings(w: Workload): string[] {
  const where = describeObject(w.object);
  const problems: string[] = [];
  const known = new Set(w.descriptions.map((d) => d.env));
  const seen = new Set<string>();
  if (w.container?.envFrom?.length)
    problems.push(`${where}: envFrom hides which keys are set; list each HYPERSCALE_* key under env`);
  for (const variable of w.container?.env ?? []) {
    if (seen.has(variable.name)) problems.push(`${where}: env ${variable.name} is set twice`);
    seen.add(variable.name);
    const setting = settingByEnv(w.descriptions, variable.name);
    const secretRef = variable.valueFrom?.secretKeyRef;
    if (secretRef) {
      if (!setting?.secret)
        problems.push(`${where}: ${variable.name} comes from a Secret but is no secret setting of ${w.facts.service}`);
      else if (secretRef.optional !== true)
        problems.push(
          `${where}: ${variable.name} must reference Secret ${secretRef.name} as optional: nothing in deploy/ creates it, ` +
            'and a pod whose Secret is missing never starts',
        );
    } else if (setting?.secret && variable.value !== undefined) {
      problems.push(
        `${where}: ${variable.name} is secret: take it from a Secret (secretKeyRef), never a literal value`,
      );
    }
    if (setting && /^testing aid\b/i.test(setting.description))
      problems.push(`${where}: ${variable.name} is a testing aid (${setting.description}); manifests must not set it`);
    if (known.has(variable.name)) continue;
    if (variable.name.startsWith('HYPERSCALE_'))
      problems.push(`${where}: ${variable.name} is not a setting of ${w.facts.service} (see its src/settings.ts)`);
    else if (!HELPER_ENV.has(variable.name))
      problems.push(`${where}: env ${variable.name} is neither a ${w.facts.service} setting nor a known helper`);
  }
  for (const d of w.descriptions) {
    if (d.required && !seen.has(d.env)) problems.push(`${where}: required setting ${d.env} is not set`);
  }
  return problems;
}

/** Bind addresses, advertised address, node ids, ports, probes. */
export function checkNetworkSettings(w: Workload, facts: Facts): string[] {
  const where = describeObject(w.object);
  const problems: string[] = [];
  if (!w.settings || !w.container) return problems;
  for (const d of w.descriptions) {
    if (d.kind === 'string' && d.env.endsWith('_HOST')) {
      const host = w.settings[d.key];
      if (typeof host !== 'string' || !ANY_ADDRESS.has(host))
        problems.push(
          `${where}: ${d.env} is ${String(host)}; in a pod it must bind 0.0.0.0 so probes and peers reach it`,
        );
    }
    if (d.kind === 'port' && w.settings[d.key] === 0)
      problems.push(`${where}: ${d.env} is 0 (a random port); Kubernetes needs a fixed one`);
  }
  // Container ports are exactly the ports the service opens.
  const expected = expectedPorts(w);
  const expectedKeys = new Set(expected.map((p) => portKey(p.port, p.protocol)));
  const actual = new Set((w.container.ports ?? []).map((p) => portKey(p.containerPort, p.protocol ?? 'TCP')));
  for (const p of expected) {
    if (!actual.has(portKey(p.port, p.protocol)))
      problems.push(`${where}: the container does not expose ${portKey(p.port, p.protocol)} (${p.env})`);
  }
  for (const key of actual) {
    if (!expectedKeys.has(key)) problems.push(`${where}: container port ${key} is no port ${w.facts.service} opens`);
  }
  // Image EXPOSE matches too (documentation for `docker run`, but it should not lie).
  const exposes = new Set(w.facts.imageExposes.map((e) => (e.includes('/') ? e : `${e}/tcp`).toUpperCase()));
  for (const p of expected) {
    if (!exposes.has(portKey(p.port, p.protocol)))
      problems.push(`${where}: services/${w.facts.service}/Dockerfile does not EXPOSE ${portKey(p.port, p.protocol)}`);
  }
  // Probes on the admin port and the runtime's real paths.
  const adminPort = effective(w, 'HYPERSCALE_ADMIN_PORT');
  const probes = [
    ['livenessProbe', '/healthz', true],
    ['readinessProbe', '/readyz', true],
    ['startupProbe', '/healthz', false],
  ] as const;
  for (const [field, path, required] of probes) {
    const probe = w.container[field];
    if (!probe) {
      if (required) problems.push(`${where}: no ${field}`);
      continue;
    }
    const get = probe.httpGet;
    if (!get) {
      problems.push(`${where}: ${field} must be an httpGet on the admin server`);
      continue;
    }
    if (!facts.adminPaths.has(get.path ?? ''))
      problems.push(`${where}: ${field} path ${get.path} is not served by the admin server`);
    else if (get.path !== path) problems.push(`${where}: ${field} should use ${path}, not ${get.path}`);
    const port = containerPort(w, get.port as string | number, 'TCP');
    if (!port || port.port !== adminPort)
      problems.push(`${where}: ${field} port ${String(get.port)} is not the admin port ${String(adminPort)}`);
  }
  // Each advertised address (gRPC, and every SWIM pool) reaches this pod at that port.
  const advertised: { env: string; portEnv: string; what: string }[] = [
    { env: 'HYPERSCALE_ADVERTISE_ADDRESS', portEnv: 'HYPERSCALE_GRPC_PORT', what: 'the gRPC port' },
  ];
  for (const d of w.descriptions) {
    const env = poolSetting(d.env, 'ADVERTISE_ADDRESS');
    if (d.kind === 'port' && isPeerPortSetting(d) && settingByEnv(w.descriptions, env))
      advertised.push({ env, portEnv: d.env, what: `its SWIM port (${d.env})` });
  }
  const serviceName = (w.object as unknown as IStatefulSet).spec?.serviceName;
  for (const { env, portEnv, what } of advertised) {
    const address = w.container.env?.find((e) => e.name === env)?.value;
    const port = effective(w, portEnv);
    if (address === undefined) {
      problems.push(`${where}: ${env} must be set (the default is the bind address 0.0.0.0)`);
      continue;
    }
    if (!address.endsWith(`:${String(port)}`))
      problems.push(`${where}: ${env} ${address} does not end in ${what} ${port}`);
    if (w.object.kind === 'StatefulSet' && !address.startsWith(`$(POD_NAME).${serviceName}.`))
      problems.push(`${where}: ${env} should be $(POD_NAME).${serviceName}.…, the pod's stable DNS name`);
    if (w.object.kind === 'Deployment' && !address.startsWith('$(POD_IP):'))
      problems.push(`${where}: ${env} of a Deployment should be $(POD_IP):port`);
  }
  const helpers: Record<string, string> = {
    POD_NAME: 'metadata.name',
    POD_NAMESPACE: 'metadata.namespace',
    POD_IP: 'status.podIP',
  };
  for (const variable of w.container.env ?? []) {
    const fieldPath = helpers[variable.name];
    if (fieldPath && variable.valueFrom?.fieldRef?.fieldPath !== fieldPath)
      problems.push(`${where}: ${variable.name} must come from the downward API field ${fieldPath}`);
  }
  const nodeId = w.container.env?.find((e) => e.name === 'HYPERSCALE_NODE_ID')?.value ?? '';
  if (!nodeId.includes('$(POD_NAME)'))
    problems.push(`${where}: HYPERSCALE_NODE_ID must include $(POD_NAME) so every replica has its own id`);
  return problems;
}

/** Termination grace covers the preStop pause and every shutdown step's bound (from main.ts). */
function checkGrace(w: Workload, c: IContainer, where: string): string[] {
  const problems: string[] = [];
  let budgetMs = 0;
  if (w.facts.shutdownTimeouts.length === 0)
    problems.push(`${where}: found no shutdown steps in services/${w.facts.service}/src/main.ts`);
  for (const expression of w.facts.shutdownTimeouts) {
    for (const term of expression.split('+').map((t) => t.trim())) {
      const literal = /^\d[\d_]*$/.test(term) ? Number(term.replace(/_/g, '')) : undefined;
      const setting = /^settings\.(\w+)$/.exec(term);
      const fromSetting = setting ? w.settings?.[setting[1] ?? ''] : undefined;
      if (literal !== undefined) budgetMs += literal;
      else if (typeof fromSetting === 'number') budgetMs += fromSetting;
      else problems.push(`${where}: cannot evaluate shutdown timeout term '${term}' of ${w.facts.service}`);
    }
  }
  const preStopMs = (c.lifecycle?.preStop?.sleep?.seconds ?? 0) * 1000;
  const graceMs = (w.podSpec.terminationGracePeriodSeconds ?? 30) * 1000;
  if (graceMs < preStopMs + budgetMs)
    problems.push(
      `${where}: terminationGracePeriodSeconds ${graceMs / 1000} is shorter than the preStop pause ` +
        `(${preStopMs / 1000} s) plus ${w.facts.service}'s shutdown steps (${budgetMs / 1000} s)`,
    );
  return problems;
}

/** Resources, worker cores, termination grace, security context, service account, image, spreading. */
export function checkPodSpec(w: Workload, rendered: RenderedOverlay): string[] {
  const where = describeObject(w.object);
  const problems: string[] = [];
  const c = w.container;
  if (!c) return problems;
  const requests = c.resources?.requests ?? {};
  const limits = c.resources?.limits ?? {};
  for (const resource of ['cpu', 'memory']) {
    const request = parseQuantity(requests[resource] as string | undefined);
    const limit = parseQuantity(limits[resource] as string | undefined);
    if (request === undefined) problems.push(`${where}: no ${resource} request`);
    if (limit === undefined) problems.push(`${where}: no ${resource} limit`);
    if (request !== undefined && limit !== undefined && request > limit)
      problems.push(`${where}: ${resource} request exceeds its limit`);
  }
  if (w.role === 'worker') {
    const cores = effective(w, 'HYPERSCALE_WORKER_CORES');
    const cpuLimit = parseQuantity(limits['cpu'] as string | undefined);
    if (cores === 0 || typeof cores !== 'number')
      problems.push(
        `${where}: HYPERSCALE_WORKER_CORES is 0 (every CPU of the node); tie it to the container's CPU limit`,
      );
    else if (cpuLimit !== undefined && cores > Math.ceil(cpuLimit))
      problems.push(`${where}: HYPERSCALE_WORKER_CORES ${cores} exceeds the CPU limit ${cpuLimit}`);
  }
  if (w.settings) problems.push(...checkGrace(w, c, where));
  // Non-root, as the image's user; read-only root with a writable /tmp.
  const pod = w.podSpec.securityContext;
  if (pod?.runAsNonRoot !== true) problems.push(`${where}: runAsNonRoot must be true`);
  if (w.facts.imageUid === undefined)
    problems.push(`${where}: services/${w.facts.service}/Dockerfile has no numeric USER`);
  else if ((c.securityContext?.runAsUser ?? pod?.runAsUser) !== w.facts.imageUid)
    problems.push(`${where}: runAsUser should be the image's user ${w.facts.imageUid}`);
  if (c.securityContext?.allowPrivilegeEscalation !== false)
    problems.push(`${where}: allowPrivilegeEscalation must be false`);
  if (!(c.securityContext?.capabilities?.drop ?? []).includes('ALL'))
    problems.push(`${where}: capabilities must drop ALL`);
  if (c.securityContext?.readOnlyRootFilesystem !== true)
    problems.push(`${where}: readOnlyRootFilesystem must be true`);
  const tmp = c.volumeMounts?.find((m) => m.mountPath === '/tmp');
  const tmpVolume = w.podSpec.volumes?.find((v) => v.name === tmp?.name);
  if (!tmpVolume?.emptyDir) problems.push(`${where}: /tmp must be a writable emptyDir`);
  // Secrets are referenced, never committed: optional until the services read them.
  for (const volume of w.podSpec.volumes ?? []) {
    if (volume.secret && volume.secret.optional !== true)
      problems.push(`${where}: secret volume ${volume.name} must be optional until ${w.facts.service} reads it`);
  }
  // Service account.
  const account = w.podSpec.serviceAccountName;
  if (!account) problems.push(`${where}: no serviceAccountName`);
  else if (
    !rendered.objects.some(
      (o) => o.kind === 'ServiceAccount' && o.metadata.name === account && o.metadata.namespace === w.namespace,
    )
  )
    problems.push(`${where}: ServiceAccount ${account} is not part of the overlay`);
  if (w.podSpec.automountServiceAccountToken !== false)
    problems.push(`${where}: automountServiceAccountToken must be false (the services never call the API)`);
  // Image: the role's own, from a registry, pinned.
  const image = c.image ?? '';
  const repository = image.replace(/@sha256:[0-9a-f]+$/, '').replace(/:[^/:]+$/, '');
  const tag = image.slice(repository.length);
  if (!repository.endsWith(`/${w.facts.service}`))
    problems.push(`${where}: image ${image} is not a ${w.facts.service} image in a registry (components/images)`);
  if (tag === '' || tag === ':latest') problems.push(`${where}: image ${image} must carry a version tag or digest`);
  // Replicas spread over nodes.
  const anti = w.podSpec.affinity?.podAntiAffinity;
  const terms = [
    ...(anti?.requiredDuringSchedulingIgnoredDuringExecution ?? []),
    ...(anti?.preferredDuringSchedulingIgnoredDuringExecution ?? []).map((t) => t.podAffinityTerm),
  ];
  if (
    !terms.some(
      (t) =>
        t.topologyKey === 'kubernetes.io/hostname' &&
        selectorMatches(t.labelSelector as LabelSelector | undefined, w.podLabels),
    )
  )
    problems.push(`${where}: no pod anti-affinity on kubernetes.io/hostname that selects its own pods`);
  for (const spread of w.podSpec.topologySpreadConstraints ?? []) {
    if (!selectorMatches(spread.labelSelector as LabelSelector | undefined, w.podLabels))
      problems.push(`${where}: a topologySpreadConstraint does not select its own pods`);
  }
  return problems;
}

/** Selectors agree with the labels they aim at, across workloads, Services, PDBs and policies. */
export function checkSelectors(workloads: Workload[], rendered: RenderedOverlay): string[] {
  const problems: string[] = [];
  for (const w of workloads) {
    const where = describeObject(w.object);
    const selector = (w.object as unknown as IStatefulSet).spec?.selector as LabelSelector | undefined;
    if (!selector?.matchLabels || Object.keys(selector.matchLabels).length === 0)
      problems.push(`${where}: selector needs matchLabels`);
    else if (!selectorMatches(selector, w.podLabels))
      problems.push(`${where}: selector does not match its pod template's labels`);
    if (w.podLabels[COMPONENT_LABEL] !== w.role)
      problems.push(`${where}: pod template must carry ${COMPONENT_LABEL}: ${w.role}`);
    if (w.object.kind !== w.facts.workloadKind) problems.push(`${where}: ${w.role}s run as a ${w.facts.workloadKind}`);
    for (const other of workloads) {
      if (other !== w && other.namespace === w.namespace && selectorMatches(selector, other.podLabels))
        problems.push(`${where}: its selector also matches the pods of ${describeObject(other.object)}`);
    }
  }
  for (const object of rendered.objects) {
    const where = describeObject(object);
    const role = object.metadata.labels?.[COMPONENT_LABEL];
    const inNamespace = workloads.filter((w) => w.namespace === object.metadata.namespace);
    let selected: Workload[] | undefined;
    if (object.kind === 'Service') {
      const selector = (object as unknown as IService).spec?.selector as Labels | undefined;
      selected = inNamespace.filter((w) => mapSelectorMatches(selector, w.podLabels));
    } else if (object.kind === 'PodDisruptionBudget') {
      const selector = (object as unknown as IPodDisruptionBudget).spec?.selector as LabelSelector | undefined;
      selected = inNamespace.filter((w) => selectorMatches(selector, w.podLabels));
    } else if (object.kind === 'NetworkPolicy') {
      const selector = (object as unknown as INetworkPolicy).spec?.podSelector as LabelSelector | undefined;
      if (!selector?.matchLabels && !selector?.matchExpressions)
        problems.push(`${where}: an empty podSelector would apply to every pod of the namespace`);
      selected = inNamespace.filter((w) => selectorMatches(selector, w.podLabels));
    }
    if (selected === undefined) continue;
    if (selected.length !== 1) {
      problems.push(`${where}: selects the pods of ${selected.length} workloads; it should select exactly one`);
      continue;
    }
    if (role !== selected[0]?.role)
      problems.push(`${where}: labelled ${role ?? 'with no component'} but selects ${selected[0]?.role} pods`);
  }
  return problems;
}

/** Services: ports resolve to container ports; each workload has a headless Service for peer traffic. */
export function checkServices(workloads: Workload[], rendered: RenderedOverlay): string[] {
  const problems: string[] = [];
  const services = rendered.objects.filter((o) => o.kind === 'Service') as unknown as (IService & K8sObject)[];
  for (const service of services) {
    const where = describeObject(service);
    const target = workloads.find(
      (w) =>
        w.namespace === service.metadata.namespace &&
        mapSelectorMatches(service.spec?.selector as Labels | undefined, w.podLabels),
    );
    if (!target?.settings) continue; // checkSelectors or workloadsOf reports it
    for (const port of service.spec?.ports ?? []) {
      const protocol = (port.protocol ?? 'TCP') as Protocol;
      const resolved = containerPort(target, (port.targetPort as string | number | undefined) ?? port.port, protocol);
      if (!resolved)
        problems.push(`${where}: port ${port.name ?? port.port} targets no ${protocol} port of ${target.role} pods`);
      else if (resolved.port !== port.port)
        problems.push(`${where}: port ${port.port} forwards to ${resolved.port}; keep them equal`);
    }
  }
  for (const w of workloads) {
    if (!w.settings) continue; // workloadsOf reported why; ports are unknown
    const where = describeObject(w.object);
    const headless = services.filter(
      (s) =>
        s.metadata.namespace === w.namespace &&
        s.spec?.clusterIP === 'None' &&
        mapSelectorMatches(s.spec?.selector as Labels | undefined, w.podLabels),
    );
    const serviceName = (w.object as unknown as IStatefulSet).spec?.serviceName;
    const peers = w.object.kind === 'StatefulSet' ? headless.find((s) => s.metadata.name === serviceName) : headless[0];
    if (!peers) {
      problems.push(
        w.object.kind === 'StatefulSet'
          ? `${where}: serviceName ${serviceName} is not a headless Service selecting its pods`
          : `${where}: no headless Service selects its pods`,
      );
      continue;
    }
    if (peers.spec?.publishNotReadyAddresses !== true)
      problems.push(
        `${describeObject(peers)}: publishNotReadyAddresses must be true (peers must find a pod before it is ready)`,
      );
    const offered = new Set(
      (peers.spec?.ports ?? []).map((p) => portKey(Number(p.port), (p.protocol ?? 'TCP') as string)),
    );
    const adminPort = effective(w, 'HYPERSCALE_ADMIN_PORT');
    for (const p of expectedPorts(w)) {
      if (p.port === adminPort) continue;
      if (!offered.has(portKey(p.port, p.protocol)))
        problems.push(`${describeObject(peers)}: peer Service lacks ${portKey(p.port, p.protocol)} (${p.env})`);
    }
  }
  return problems;
}

type Peer = { external: true } | { external: false; namespace: string; labels: Labels };

function peerAdmits(peer: INetworkPolicyPeer, who: Peer, policyNamespace: string, namespaces: K8sObject[]): boolean {
  if (peer.ipBlock) return who.external && peer.ipBlock.cidr === '0.0.0.0/0';
  if (who.external) return false;
  if (peer.namespaceSelector) {
    const ns = namespaces.find((n) => n.metadata.name === who.namespace);
    const nsLabels = { 'kubernetes.io/metadata.name': who.namespace, ...(ns?.metadata.labels ?? {}) };
    if (!selectorMatches(peer.namespaceSelector as LabelSelector, nsLabels)) return false;
  } else if (who.namespace !== policyNamespace) return false;
  return peer.podSelector ? selectorMatches(peer.podSelector as LabelSelector, who.labels) : true;
}

/** The (port/protocol) keys the role's NetworkPolicies open to `who`. */
function openedTo(w: Workload, policies: (INetworkPolicy & K8sObject)[], who: Peer, namespaces: K8sObject[]) {
  const opened = new Set<string>();
  for (const policy of policies) {
    for (const rule of policy.spec?.ingress ?? []) {
      const admitted = !rule.from?.length || rule.from.some((p) => peerAdmits(p, who, w.namespace, namespaces));
      if (!admitted) continue;
      for (const port of rule.ports ?? []) {
        const protocol = (port.protocol ?? 'TCP') as Protocol;
        const number = typeof port.port === 'number' ? port.port : containerPort(w, port.port, protocol)?.port;
        if (number !== undefined) opened.add(portKey(number, protocol));
      }
    }
  }
  return opened;
}

/**
 * Each SWIM port is open to exactly its pool: every member role (of the namespace for a datacenter
 * pool, of any namespace for the global pool), and to nobody else: not outside the cluster, not an
 * arbitrary pod, not a role outside the pool, not another datacenter's members.
 */
function checkPoolPorts(
  w: Workload,
  workloads: Workload[],
  policies: (INetworkPolicy & K8sObject)[],
  namespaces: K8sObject[],
  facts: Facts,
): string[] {
  const where = describeObject(w.object);
  const problems: string[] = [];
  const ELSEWHERE = 'another-datacenter';
  for (const p of expectedPorts(w).filter((x) => isPeerPortEnv(x.env))) {
    const key = portKey(p.port, p.protocol);
    const scope = poolScopeOf(p.env);
    const members = poolMembers(facts, p.env);
    const must: { who: Peer; what: string }[] = [];
    const mustNot: { who: Peer; what: string }[] = [
      { who: { external: true }, what: 'clients outside the cluster' },
      { who: { external: false, namespace: ELSEWHERE, labels: {} }, what: 'any pod of the cluster' },
    ];
    for (const m of workloads) {
      if (members.includes(m.role) && (scope === 'global' || m.namespace === w.namespace))
        must.push({
          who: { external: false, namespace: m.namespace, labels: m.podLabels },
          what: `the ${m.role}s of ${describeObject(m.object)}`,
        });
    }
    for (const role of ROLES) {
      const here = { external: false as const, namespace: w.namespace, labels: podOfRole(w, role) };
      const there = { external: false as const, namespace: ELSEWHERE, labels: podOfRole(w, role) };
      if (!members.includes(role)) {
        mustNot.push(
          { who: here, what: `${role}s of its namespace` },
          { who: there, what: `${role}s of other namespaces` },
        );
      } else if (scope === 'global') {
        must.push(
          { who: here, what: `${role}s of its namespace` },
          { who: there, what: `${role}s of other namespaces` },
        );
      } else {
        must.push({ who: here, what: `${role}s of its namespace` });
        mustNot.push({ who: there, what: `${role}s of other namespaces (another datacenter's pool)` });
      }
    }
    const pool = scope === 'global' ? 'the global pool' : 'its datacenter pool';
    for (const { who, what } of must) {
      if (!openedTo(w, policies, who, namespaces).has(key))
        problems.push(`${where}: SWIM port ${key} (${p.env}) is closed to ${what}, members of ${pool}`);
    }
    for (const { who, what } of mustNot) {
      if (openedTo(w, policies, who, namespaces).has(key))
        problems.push(`${where}: SWIM port ${key} (${p.env}) is open to ${what}, outside ${pool}`);
    }
  }
  return problems;
}

/** NetworkPolicies open exactly the role's ports, to the peers that need them. */
export function checkNetworkPolicies(workloads: Workload[], rendered: RenderedOverlay, facts: Facts): string[] {
  const problems: string[] = [];
  const namespaces = rendered.objects.filter((o) => o.kind === 'Namespace');
  const all = rendered.objects.filter((o) => o.kind === 'NetworkPolicy') as unknown as (INetworkPolicy & K8sObject)[];
  for (const w of workloads) {
    if (!w.settings) continue; // workloadsOf reported why; ports are unknown
    const where = describeObject(w.object);
    const policies = all.filter(
      (p) =>
        p.metadata.namespace === w.namespace &&
        selectorMatches(p.spec?.podSelector as LabelSelector | undefined, w.podLabels),
    );
    if (!policies.some((p) => (p.spec?.policyTypes ?? ['Ingress']).includes('Ingress'))) {
      problems.push(`${where}: no NetworkPolicy restricts ingress to its pods`);
      continue;
    }
    const expected = new Set(expectedPorts(w).map((p) => portKey(p.port, p.protocol)));
    for (const policy of policies) {
      for (const rule of policy.spec?.ingress ?? []) {
        if (!rule.ports?.length)
          problems.push(`${describeObject(policy)}: an ingress rule without ports opens every port`);
        for (const port of rule.ports ?? []) {
          const protocol = (port.protocol ?? 'TCP') as Protocol;
          const number = typeof port.port === 'number' ? port.port : containerPort(w, port.port, protocol)?.port;
          if (number === undefined || !expected.has(portKey(number, protocol)))
            problems.push(
              `${describeObject(policy)}: opens ${String(port.port)}/${protocol}, which ${w.role}s do not serve`,
            );
          if (port.endPort !== undefined) problems.push(`${describeObject(policy)}: opens a port range`);
        }
      }
    }
    const inCluster = openedTo(
      w,
      policies,
      { external: false, namespace: 'some-other-namespace', labels: {} },
      namespaces,
    );
    const external = openedTo(w, policies, { external: true }, namespaces);
    const grpc = portKey(Number(effective(w, 'HYPERSCALE_GRPC_PORT')), 'TCP');
    const admin = portKey(Number(effective(w, 'HYPERSCALE_ADMIN_PORT')), 'TCP');
    for (const p of expectedPorts(w)) {
      const key = portKey(p.port, p.protocol);
      if (!inCluster.has(key) && key !== grpc && !isPeerPortEnv(p.env))
        problems.push(`${where}: port ${key} is not open to the rest of the cluster (probes, metrics)`);
    }
    problems.push(...checkPoolPorts(w, workloads, policies, namespaces, facts));
    if (external.has(admin)) problems.push(`${where}: the admin port is open outside the cluster`);
    if (w.role === 'worker') {
      // Only the datacenter's managers dispatch to a worker.
      if (external.has(grpc) || inCluster.has(grpc))
        problems.push(`${where}: worker gRPC is open beyond the managers of its namespace`);
      for (const manager of workloads.filter((m) => m.role === 'manager' && m.namespace === w.namespace)) {
        const fromManager = openedTo(
          w,
          policies,
          { external: false, namespace: w.namespace, labels: manager.podLabels },
          namespaces,
        );
        if (!fromManager.has(grpc)) problems.push(`${where}: its managers cannot reach worker gRPC ${grpc}`);
      }
    } else if (!external.has(grpc)) {
      // Clients and other clusters' managers/gates dial gates and managers.
      problems.push(`${where}: ${w.role} gRPC ${grpc} must be reachable from outside the namespace and cluster`);
    }
  }
  return problems;
}

function quorum(voters: number): number {
  return Math.floor(voters / 2) + 1;
}

/** Voter sets: replicas, the voters annotation and any voter setting agree; the PDB keeps a quorum. */
export function checkVoterSets(workloads: Workload[], rendered: RenderedOverlay): string[] {
  const problems: string[] = [];
  const pdbs = rendered.objects.filter((o) => o.kind === 'PodDisruptionBudget') as unknown as (IPodDisruptionBudget &
    K8sObject)[];
  for (const w of workloads) {
    const where = describeObject(w.object);
    const pdb = pdbs.find(
      (p) =>
        p.metadata.namespace === w.namespace &&
        selectorMatches(p.spec?.selector as LabelSelector | undefined, w.podLabels),
    );
    if (!pdb) problems.push(`${where}: no PodDisruptionBudget covers its pods`);
    if (w.object.kind !== 'StatefulSet') continue;
    const voters = (w.object.metadata.annotations?.[VOTERS_ANNOTATION] ?? '').split(',').filter((v) => v !== '');
    const ordinals = w.podNames;
    if (voters.join(',') !== ordinals.join(','))
      problems.push(
        `${where}: ${VOTERS_ANNOTATION} lists [${voters.join(', ')}] but the ${w.replicas} replicas are [${ordinals.join(', ')}]`,
      );
    if (w.replicas % 2 === 0)
      problems.push(`${where}: ${w.replicas} voters tolerate no more failures than ${w.replicas - 1}`);
    for (const d of w.descriptions.filter((s) => /VOTER/.test(s.env))) {
      const value = w.envs[0]?.[d.env];
      if (value === undefined) problems.push(`${where}: ${w.facts.service} reads its voter set from ${d.env}; set it`);
      else if (value.split(',').filter((v) => v.trim() !== '').length !== w.replicas)
        problems.push(`${where}: ${d.env} names ${value.split(',').length} voters but replicas is ${w.replicas}`);
    }
    if (pdb) {
      const maxUnavailable = pdb.spec?.maxUnavailable;
      const minAvailable = pdb.spec?.minAvailable;
      const keeps =
        typeof maxUnavailable === 'number'
          ? w.replicas - maxUnavailable
          : typeof minAvailable === 'number'
            ? minAvailable
            : undefined;
      if (keeps === undefined) problems.push(`${describeObject(pdb)}: use an absolute maxUnavailable or minAvailable`);
      else if (keeps < quorum(w.replicas))
        problems.push(
          `${describeObject(pdb)}: lets the voters drop to ${keeps}, below the quorum ${quorum(w.replicas)}`,
        );
    }
  }
  return problems;
}

function hostPortList(value: string | undefined): string[] {
  return (value ?? '')
    .split(',')
    .map((v) => v.trim())
    .filter((v) => v !== '');
}

function podAddresses(target: Workload, fromNamespace: string, portEnv: string): Set<string> {
  const serviceName = (target.object as unknown as IStatefulSet).spec?.serviceName ?? '';
  const port = effective(target, portEnv);
  const out = new Set<string>();
  for (const pod of target.podNames) {
    const base = `${pod}.${serviceName}`;
    for (const host of [`${base}.${target.namespace}.svc`, `${base}.${target.namespace}.svc.cluster.local`])
      out.add(`${host}:${port}`);
    if (fromNamespace === target.namespace) out.add(`${base}:${port}`);
  }
  return out;
}

function samePods(
  listed: string[],
  target: Workload,
  fromNamespace: string,
  portEnv = 'HYPERSCALE_GRPC_PORT',
): boolean {
  const valid = podAddresses(target, fromNamespace, portEnv);
  if (!listed.every((a) => valid.has(a))) return false;
  const pods = new Set(listed.map((a) => a.split('.')[0]));
  return target.podNames.every((p) => pods.has(p)) && pods.size === listed.length;
}

/** Who finds whom: workers list their managers, managers list the gates; datacenters and node ids are consistent. */
export function checkTopology(workloads: Workload[], facts: Facts): string[] {
  const problems: string[] = [];
  const gates = workloads.filter((w) => w.role === 'gate');
  for (const w of workloads) {
    if (!w.settings) continue; // workloadsOf reported why
    const where = describeObject(w.object);
    if (w.role === 'worker') {
      const managers = workloads.filter((m) => m.role === 'manager' && m.namespace === w.namespace);
      const listed = hostPortList(w.envs[0]?.['HYPERSCALE_MANAGERS']);
      if (managers.some((m) => !m.settings)) continue;
      if (managers.length !== 1) {
        problems.push(
          `${where}: expected one manager StatefulSet in namespace ${w.namespace}, found ${managers.length}`,
        );
        continue;
      }
      const manager = managers[0] as Workload;
      if (!samePods(listed, manager, w.namespace))
        problems.push(
          `${where}: HYPERSCALE_MANAGERS [${listed.join(', ')}] should name each of the ${manager.replicas} pods of ` +
            `${describeObject(manager.object)} at its gRPC port`,
        );
    }
    if (w.role === 'manager') {
      const listed = hostPortList(w.envs[0]?.['HYPERSCALE_GATES']);
      if (gates.length > 1) problems.push(`${where}: more than one gate StatefulSet in the overlay`);
      const gate = gates[0];
      if (gate && !gate.settings) continue;
      if (gate) {
        if (!samePods(listed, gate, w.namespace))
          problems.push(
            `${where}: HYPERSCALE_GATES [${listed.join(', ')}] should name each of the ${gate.replicas} pods of ` +
              `${describeObject(gate.object)} at its gRPC port`,
          );
      } else {
        const gatePort = describeSettings(facts.roles.gate.definition).find(
          (d) => d.env === 'HYPERSCALE_GRPC_PORT',
        )?.default;
        for (const address of listed) {
          if (!address.endsWith(`:${gatePort}`))
            problems.push(`${where}: gate address ${address} does not use the gates' gRPC port ${gatePort}`);
        }
      }
    }
  }
  problems.push(...checkPools(workloads, facts));
  // One datacenter per namespace, one namespace per datacenter.
  const byNamespace = new Map<string, Set<string>>();
  for (const w of workloads.filter((x) => x.role !== 'gate' && x.settings)) {
    const dc = String(effective(w, 'HYPERSCALE_DATACENTER'));
    const set = byNamespace.get(w.namespace) ?? new Set<string>();
    set.add(dc);
    byNamespace.set(w.namespace, set);
  }
  const owner = new Map<string, string>();
  for (const [namespace, dcs] of byNamespace) {
    if (dcs.size !== 1)
      problems.push(
        `namespace ${namespace}: its managers and workers disagree on the datacenter (${[...dcs].join(', ')})`,
      );
    for (const dc of dcs) {
      const other = owner.get(dc);
      if (other !== undefined && other !== namespace)
        problems.push(`datacenter ${dc} appears in namespaces ${other} and ${namespace}`);
      owner.set(dc, namespace);
    }
  }
  // Node ids of stable pods are unique across the overlay.
  const ids = new Map<string, string>();
  for (const w of workloads.filter((x) => x.object.kind === 'StatefulSet')) {
    for (const [i, env] of w.envs.entries()) {
      const id = env['HYPERSCALE_NODE_ID'];
      if (id === undefined) continue;
      const pod = `${w.namespace}/${w.podNames[i]}`;
      const other = ids.get(id);
      if (other !== undefined) problems.push(`node id ${id} is used by both ${other} and ${pod}`);
      ids.set(id, pod);
    }
  }
  return problems;
}

/**
 * SWIM pools: each pool's seeds are the stable pods of its seed role (every gate for the global
 * pool, the datacenter's managers for a datacenter pool) at their SWIM port, and the members of a
 * pool agree on its timing profile.
 */
export function checkPools(workloads: Workload[], facts: Facts): string[] {
  const problems: string[] = [];
  const ready = workloads.filter((w) => w.settings);
  for (const w of ready) {
    const where = describeObject(w.object);
    for (const d of w.descriptions.filter((x) => x.kind === 'port' && isPeerPortSetting(x))) {
      const seedsEnv = poolSetting(d.env, 'SEEDS');
      if (!settingByEnv(w.descriptions, seedsEnv)) continue;
      const scope = poolScopeOf(d.env);
      const seedRole = SEED_ROLE[scope];
      const listed = hostPortList(w.envs[0]?.[seedsEnv]);
      // Workers need no seeds: a manager's answer to their registration introduces it.
      if (w.role === 'worker' && listed.length === 0) continue;
      const seeders = workloads.filter(
        (t) => t.role === seedRole && (scope === 'global' || t.namespace === w.namespace),
      );
      const seeder = seeders[0];
      if (seeders.length > 1) continue; // checkTopology reports more than one gate or manager set
      if (seeder) {
        if (!seeder.settings) continue;
        if (!samePods(listed, seeder, w.namespace, d.env))
          problems.push(
            `${where}: ${seedsEnv} [${listed.join(', ')}] should name each of the ${seeder.replicas} pods of ` +
              `${describeObject(seeder.object)} at its SWIM port ${String(effective(seeder, d.env))}`,
          );
        continue;
      }
      // The seed role lives in another overlay (multi-dc/<datacenter> without the gates): its
      // default port, and the same pods the service registers with.
      const port = describeSettings(facts.roles[seedRole].definition).find((x) => x.env === d.env)?.default;
      for (const address of listed) {
        if (!address.endsWith(`:${port}`))
          problems.push(`${where}: ${seedsEnv} address ${address} does not use the ${seedRole}s' SWIM port ${port}`);
      }
      if (w.role === 'manager' && seedRole === 'gate') {
        const hosts = (list: string[]) => list.map((a) => a.replace(/:\d+$/, '')).sort();
        const gates = hostPortList(w.envs[0]?.['HYPERSCALE_GATES']);
        if (hosts(listed).join(',') !== hosts(gates).join(','))
          problems.push(`${where}: ${seedsEnv} should name the same gates as HYPERSCALE_GATES, at their SWIM port`);
      }
    }
  }
  // One timing profile per pool: the global pool across the overlay, a datacenter pool per namespace.
  const profiles = new Map<string, Map<string, Set<string>>>();
  for (const w of ready) {
    for (const d of w.descriptions.filter((x) => x.kind === 'port' && isPeerPortSetting(x))) {
      const profile = effective(w, poolSetting(d.env, 'PROFILE'));
      if (profile === undefined) continue;
      const pool =
        poolScopeOf(d.env) === 'global' ? 'the global SWIM pool' : `the SWIM pool of namespace ${w.namespace}`;
      const byProfile = profiles.get(pool) ?? new Map<string, Set<string>>();
      const who = byProfile.get(String(profile)) ?? new Set<string>();
      who.add(describeObject(w.object));
      byProfile.set(String(profile), who);
      profiles.set(pool, byProfile);
    }
  }
  for (const [pool, byProfile] of profiles) {
    if (byProfile.size > 1)
      problems.push(
        `${pool} mixes timing profiles: ${[...byProfile].map(([p, who]) => `${p} (${[...who].join(', ')})`).join('; ')}`,
      );
  }
  return problems;
}

/** Every namespaced object names its namespace, and the overlay creates that namespace; no Secrets. */
export function checkNamespacesAndSecrets(rendered: RenderedOverlay): string[] {
  const problems: string[] = [];
  const namespaces = new Set(rendered.objects.filter((o) => o.kind === 'Namespace').map((o) => o.metadata.name));
  for (const object of rendered.objects) {
    if (object.kind === 'Secret') problems.push(`${describeObject(object)}: secrets are referenced, never committed`);
    if (!isNamespaced(object)) continue;
    const namespace = object.metadata.namespace;
    if (!namespace) problems.push(`${describeObject(object)}: no namespace`);
    else if (!namespaces.has(namespace))
      problems.push(`${describeObject(object)}: namespace ${namespace} is not created by the overlay`);
  }
  return problems;
}

/** Every semantic check over one rendered overlay. */
export function semanticProblems(rendered: RenderedOverlay, facts: Facts): string[] {
  const { workloads, problems } = workloadsOf(rendered, facts);
  if (workloads.length === 0) problems.push('the overlay renders no workloads');
  for (const w of workloads) {
    problems.push(...checkSettings(w), ...checkNetworkSettings(w, facts), ...checkPodSpec(w, rendered));
  }
  problems.push(
    ...checkSelectors(workloads, rendered),
    ...checkServices(workloads, rendered),
    ...checkNetworkPolicies(workloads, rendered, facts),
    ...checkVoterSets(workloads, rendered),
    ...checkTopology(workloads, facts),
    ...checkNamespacesAndSecrets(rendered),
  );
  return problems;
}
