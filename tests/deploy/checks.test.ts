// Each check must fail on the mistake it exists for: these tests break a rendered overlay (or give
// a service a setting the manifests do not carry yet) and expect the matching problem.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { s } from '@hyperscale/runtime';
import { beforeAll, describe, expect, it } from 'vitest';
import { semanticProblems } from './support/checks.js';
import { type Facts, imageFactsOf, loadFacts, shutdownTimeoutsOf } from './support/facts.js';
import { type K8sObject, type RenderedOverlay, renderOverlay, requireKubectl } from './support/render.js';
import { schemaProblems, unknownFields } from './support/schema.js';

// Loosely typed access for surgery on rendered objects.
// biome-ignore lint/suspicious/noExplicitAny: test surgery on untyped YAML
type Loose = any;

const facts = loadFacts();
let singleDc: RenderedOverlay;
let multiDc: RenderedOverlay;

beforeAll(() => {
  requireKubectl();
  singleDc = renderOverlay('single-dc');
  multiDc = renderOverlay('multi-dc');
});

function broken(overlay: RenderedOverlay, change: (find: (kind: string, name: string, ns?: string) => Loose) => void) {
  const copy: RenderedOverlay = { name: overlay.name, objects: structuredClone(overlay.objects) };
  const find = (kind: string, name: string, ns?: string): Loose => {
    const found = copy.objects.find(
      (o) => o.kind === kind && o.metadata.name === name && (ns === undefined || o.metadata.namespace === ns),
    );
    if (!found) throw new Error(`no ${kind} ${name} in ${overlay.name}`);
    return found;
  };
  change(find);
  return copy;
}

function container(workload: Loose): Loose {
  return workload.spec.template.spec.containers[0];
}

function env(workload: Loose, name: string): Loose {
  return container(workload).env.find((e: Loose) => e.name === name);
}

function problemsOf(overlay: RenderedOverlay, withFacts: Facts = facts): string {
  return semanticProblems(overlay, withFacts).join('\n');
}

it('the untouched overlays have no problems (the baseline the other tests break)', () => {
  expect(semanticProblems(singleDc, facts)).toEqual([]);
  expect(semanticProblems(multiDc, facts)).toEqual([]);
});

describe('schemas and unknown fields', () => {
  it('reports a misspelt field anywhere in an object', () => {
    const overlay = broken(singleDc, (find) => {
      container(find('StatefulSet', 'hyperscale-manager')).readinesProbe = { httpGet: { path: '/readyz', port: 7201 } };
      find('Service', 'hyperscale-manager-peers').spec.ports[0].targetport = 'grpc';
    });
    const unknown = overlay.objects.flatMap(unknownFields).join('\n');
    expect(unknown).toContain('unknown field /spec/template/spec/containers/0/readinesProbe');
    expect(unknown).toContain('unknown field /spec/ports/0/targetport');
  });

  it('accepts free-form maps (labels, resources) as maps', () => {
    const overlay = broken(singleDc, (find) => {
      find('StatefulSet', 'hyperscale-manager').metadata.labels['example.com/anything'] = 'x';
    });
    expect(overlay.objects.flatMap(unknownFields)).toEqual([]);
  });

  it('reports values of the wrong type and kinds the manifests do not use', () => {
    const overlay = broken(singleDc, (find) => {
      find('StatefulSet', 'hyperscale-manager').spec.replicas = 'three';
    });
    expect(overlay.objects.flatMap(schemaProblems).join('\n')).toContain('StatefulSet hyperscale/hyperscale-manager');
    const odd: K8sObject = { apiVersion: 'v1', kind: 'Pod', metadata: { name: 'p' } };
    expect(schemaProblems(odd)).toEqual(['Pod p: v1 Pod is not a kind the manifests use']);
  });
});

describe('one source of settings', () => {
  it('reports a key the service does not know', () => {
    const overlay = broken(singleDc, (find) => {
      container(find('Deployment', 'hyperscale-worker')).env.push({ name: 'HYPERSCALE_GRPC_PORTT', value: '7300' });
    });
    expect(problemsOf(overlay)).toContain('HYPERSCALE_GRPC_PORTT is not a setting of worker-svc');
  });

  it('reports a required key left unset', () => {
    const overlay = broken(singleDc, (find) => {
      const c = container(find('Deployment', 'hyperscale-worker'));
      c.env = c.env.filter((e: Loose) => e.name !== 'HYPERSCALE_MANAGERS');
    });
    const problems = problemsOf(overlay);
    expect(problems).toContain('required setting HYPERSCALE_MANAGERS is not set');
    expect(problems).toContain('worker-svc would refuse to start');
  });

  it('reports a value the service would refuse, and a datacenter label the overlay forgot', () => {
    const overlay = broken(singleDc, (find) => {
      env(find('Deployment', 'hyperscale-worker'), 'HYPERSCALE_DRAIN_TIMEOUT').value = 'soon';
      delete find('StatefulSet', 'hyperscale-manager').spec.template.metadata.labels['hyperscale.dev/datacenter'];
    });
    const problems = problemsOf(overlay);
    expect(problems).toMatch(/worker-svc would refuse to start: .*HYPERSCALE_DRAIN_TIMEOUT: 'soon' is not a duration/s);
    expect(problems).toContain('reads pod label hyperscale.dev/datacenter, which the pod does not have');
  });

  it('reports $(VAR) references to variables defined later', () => {
    const overlay = broken(singleDc, (find) => {
      const c = container(find('StatefulSet', 'hyperscale-manager'));
      const nodeId = c.env.findIndex((e: Loose) => e.name === 'HYPERSCALE_NODE_ID');
      const [entry] = c.env.splice(nodeId, 1);
      c.env.unshift(entry);
    });
    expect(problemsOf(overlay)).toContain('HYPERSCALE_NODE_ID refers to $(HYPERSCALE_DATACENTER)');
  });

  it('reports a bind address a probe cannot reach', () => {
    const overlay = broken(singleDc, (find) => {
      env(find('StatefulSet', 'hyperscale-manager'), 'HYPERSCALE_ADMIN_HOST').value = '127.0.0.1';
    });
    expect(problemsOf(overlay)).toContain('HYPERSCALE_ADMIN_HOST is 127.0.0.1');
  });
});

describe('ports and probes', () => {
  it('reports a container port the service does not open and one it misses', () => {
    const overlay = broken(singleDc, (find) => {
      container(find('StatefulSet', 'hyperscale-manager')).ports[0].containerPort = 7250;
    });
    const problems = problemsOf(overlay);
    expect(problems).toContain('the container does not expose 7200/TCP (HYPERSCALE_GRPC_PORT)');
    expect(problems).toContain('container port 7250/TCP is no port manager-svc opens');
  });

  it('reports probes on paths the admin server does not serve, or the wrong one', () => {
    const overlay = broken(singleDc, (find) => {
      container(find('StatefulSet', 'hyperscale-manager')).livenessProbe.httpGet.path = '/health';
      container(find('Deployment', 'hyperscale-worker')).readinessProbe.httpGet.path = '/healthz';
      container(find('Deployment', 'hyperscale-worker')).livenessProbe.httpGet.port = 'grpc';
    });
    const problems = problemsOf(overlay);
    expect(problems).toContain('livenessProbe path /health is not served by the admin server');
    expect(problems).toContain('readinessProbe should use /readyz, not /healthz');
    expect(problems).toContain('livenessProbe port grpc is not the admin port 7301');
  });
});

describe('SWIM pools', () => {
  it('reports a SWIM port missing from the container, the peer Service, the image and the policy', () => {
    const overlay = broken(singleDc, (find) => {
      const manager = container(find('StatefulSet', 'hyperscale-manager'));
      manager.ports = manager.ports.filter((p: Loose) => p.name !== 'swim-udp');
      const peers = find('Service', 'hyperscale-manager-peers');
      peers.spec.ports = peers.spec.ports.filter((p: Loose) => p.name !== 'swim-udp');
      const policy = find('NetworkPolicy', 'hyperscale-manager');
      policy.spec.ingress = policy.spec.ingress.filter((r: Loose) => !r.ports.some((p: Loose) => p.port === 7202));
    });
    const withoutExpose = {
      ...facts,
      roles: {
        ...facts.roles,
        manager: {
          ...facts.roles.manager,
          imageExposes: facts.roles.manager.imageExposes.filter((e) => e !== '7202/udp'),
        },
      },
    } as Facts;
    const problems = problemsOf(overlay, withoutExpose);
    expect(problems).toContain('the container does not expose 7202/UDP (HYPERSCALE_SWIM_PORT)');
    expect(problems).toContain('peer Service lacks 7202/UDP (HYPERSCALE_SWIM_PORT)');
    expect(problems).toContain('services/manager-svc/Dockerfile does not EXPOSE 7202/UDP');
    expect(problems).toContain(
      'SWIM port 7202/TCP (HYPERSCALE_SWIM_PORT) is closed to the workers of Deployment hyperscale/hyperscale-worker',
    );
  });

  it('reports a pool member shut out: workers probe workers, managers of every datacenter probe each other', () => {
    const overlay = broken(multiDc, (find) => {
      const worker = find('NetworkPolicy', 'hyperscale-worker', 'hyperscale-eu-west');
      worker.spec.ingress[2].from[0].podSelector.matchExpressions[0].values = ['manager'];
      const gate = find('NetworkPolicy', 'hyperscale-gate', 'hyperscale-global');
      gate.spec.ingress[2].from[0].podSelector.matchExpressions[0].values = ['gate'];
    });
    const problems = problemsOf(overlay);
    expect(problems).toContain(
      'SWIM port 7302/UDP (HYPERSCALE_SWIM_PORT) is closed to the workers of Deployment hyperscale-eu-west/hyperscale-worker',
    );
    expect(problems).toContain(
      'SWIM port 7102/UDP (HYPERSCALE_GLOBAL_SWIM_PORT) is closed to the managers of StatefulSet hyperscale-us-east/hyperscale-manager',
    );
  });

  it('reports SWIM ports open beyond their pool', () => {
    const overlay = broken(multiDc, (find) => {
      // The datacenter pool opened to every namespace: another datacenter's managers and workers.
      find('NetworkPolicy', 'hyperscale-worker', 'hyperscale-us-east').spec.ingress[2].from[0].namespaceSelector = {};
      // The global pool opened to workers, and a gate rule without a pod selector.
      const manager = find('NetworkPolicy', 'hyperscale-manager', 'hyperscale-ap-south');
      manager.spec.ingress[3].from[0].podSelector.matchExpressions[0].values.push('worker');
      delete find('NetworkPolicy', 'hyperscale-gate', 'hyperscale-global').spec.ingress[2].from[0].podSelector;
    });
    const problems = problemsOf(overlay);
    expect(problems).toContain(
      "Deployment hyperscale-us-east/hyperscale-worker: SWIM port 7302/UDP (HYPERSCALE_SWIM_PORT) is open to managers of other namespaces (another datacenter's pool)",
    );
    expect(problems).toContain(
      'StatefulSet hyperscale-ap-south/hyperscale-manager: SWIM port 7203/UDP (HYPERSCALE_GLOBAL_SWIM_PORT) is open to workers of its namespace, outside the global pool',
    );
    expect(problems).toContain(
      'StatefulSet hyperscale-global/hyperscale-gate: SWIM port 7102/TCP (HYPERSCALE_GLOBAL_SWIM_PORT) is open to any pod of the cluster',
    );
  });

  it('reports SWIM advertise addresses and seeds that miss the pool', () => {
    const overlay = broken(multiDc, (find) => {
      const manager = find('StatefulSet', 'hyperscale-manager', 'hyperscale-eu-west');
      env(manager, 'HYPERSCALE_SWIM_ADVERTISE_ADDRESS').value =
        '$(POD_NAME).hyperscale-manager-peers.$(POD_NAMESPACE).svc:7200';
      const seeds = env(manager, 'HYPERSCALE_SWIM_SEEDS');
      seeds.value = seeds.value.split(',').slice(0, 2).join(',');
      env(find('StatefulSet', 'hyperscale-gate'), 'HYPERSCALE_GLOBAL_SWIM_SEEDS').value =
        'hyperscale-gate-0.hyperscale-gate-peers.hyperscale-global.svc:7100';
      const worker = container(find('Deployment', 'hyperscale-worker', 'hyperscale-us-east'));
      worker.env = worker.env.filter((e: Loose) => e.name !== 'HYPERSCALE_SWIM_ADVERTISE_ADDRESS');
    });
    const problems = problemsOf(overlay);
    expect(problems).toContain(
      'HYPERSCALE_SWIM_ADVERTISE_ADDRESS $(POD_NAME).hyperscale-manager-peers.$(POD_NAMESPACE).svc:7200 does not end in its SWIM port (HYPERSCALE_SWIM_PORT) 7202',
    );
    expect(problems).toContain('should name each of the 3 pods of StatefulSet hyperscale-eu-west/hyperscale-manager');
    expect(problems).toMatch(
      /HYPERSCALE_GLOBAL_SWIM_SEEDS \[.*:7100\] should name each of the 3 pods of StatefulSet hyperscale-global\/hyperscale-gate at its SWIM port 7102/,
    );
    expect(problems).toContain(
      'Deployment hyperscale-us-east/hyperscale-worker: HYPERSCALE_SWIM_ADVERTISE_ADDRESS must be set',
    );
  });

  it('reports global seeds that miss the gates when the gates are in another overlay', () => {
    const euWest = renderOverlay('multi-dc/eu-west');
    expect(problemsOf(euWest)).toBe('');
    const overlay = broken(euWest, (find) => {
      env(find('StatefulSet', 'hyperscale-manager'), 'HYPERSCALE_GLOBAL_SWIM_SEEDS').value =
        'hyperscale-gate-0.hyperscale-gate-peers.hyperscale-global.svc:7100';
    });
    const problems = problemsOf(overlay);
    expect(problems).toContain("does not use the gates' SWIM port 7102");
    expect(problems).toContain('HYPERSCALE_GLOBAL_SWIM_SEEDS should name the same gates as HYPERSCALE_GATES');
  });

  it('reports a pool whose members disagree on the timing profile', () => {
    const overlay = broken(multiDc, (find) => {
      env(find('Deployment', 'hyperscale-worker', 'hyperscale-eu-west'), 'HYPERSCALE_SWIM_PROFILE').value = 'wan';
      env(find('StatefulSet', 'hyperscale-gate'), 'HYPERSCALE_GLOBAL_SWIM_PROFILE').value = 'lan';
    });
    const problems = problemsOf(overlay);
    expect(problems).toContain('the SWIM pool of namespace hyperscale-eu-west mixes timing profiles');
    expect(problems).toContain('the global SWIM pool mixes timing profiles');
    expect(problems).toContain('lan (StatefulSet hyperscale-global/hyperscale-gate)');
  });

  it('takes the gossip keys from an optional Secret, never a literal, and never sets the testing delay', () => {
    const overlay = broken(singleDc, (find) => {
      const manager = find('StatefulSet', 'hyperscale-manager');
      const keys = env(manager, 'HYPERSCALE_SWIM_KEYS');
      delete keys.valueFrom;
      keys.value = 'c2VjcmV0';
      const worker = find('Deployment', 'hyperscale-worker');
      env(worker, 'HYPERSCALE_SWIM_KEYS').valueFrom.secretKeyRef.optional = false;
      env(worker, 'HYPERSCALE_LOG_LEVEL').valueFrom = { secretKeyRef: { name: 'x', key: 'y', optional: true } };
      delete env(worker, 'HYPERSCALE_LOG_LEVEL').value;
      container(worker).env.push({ name: 'HYPERSCALE_SWIM_INJECT_DELAY', value: '50ms' });
    });
    const problems = problemsOf(overlay);
    expect(problems).toContain('HYPERSCALE_SWIM_KEYS is secret: take it from a Secret (secretKeyRef), never a literal');
    expect(problems).toContain('HYPERSCALE_SWIM_KEYS must reference Secret hyperscale-gossip-keyring as optional');
    expect(problems).toContain('HYPERSCALE_LOG_LEVEL comes from a Secret but is no secret setting of worker-svc');
    expect(problems).toContain('HYPERSCALE_SWIM_INJECT_DELAY is a testing aid');
  });
});

describe('voter sets', () => {
  it('reports replicas that differ from the voters annotation, and an even voter set', () => {
    const overlay = broken(singleDc, (find) => {
      find('StatefulSet', 'hyperscale-manager').spec.replicas = 4;
    });
    const problems = problemsOf(overlay);
    expect(problems).toContain(
      'hyperscale.dev/voters lists [hyperscale-manager-0, hyperscale-manager-1, hyperscale-manager-2]',
    );
    expect(problems).toContain('4 voters tolerate no more failures than 3');
    expect(problems).toContain('HYPERSCALE_MANAGERS');
  });

  it('reports a PDB that lets the voters lose their quorum', () => {
    const overlay = broken(multiDc, (find) => {
      find('PodDisruptionBudget', 'hyperscale-gate').spec.maxUnavailable = 2;
    });
    expect(problemsOf(overlay)).toContain('lets the voters drop to 1, below the quorum 2');
  });

  it('once a service reads its voter set from a setting, the manifests must set it', () => {
    const withVoters = {
      ...facts,
      roles: {
        ...facts.roles,
        gate: {
          ...facts.roles.gate,
          definition: {
            ...facts.roles.gate.definition,
            voters: s.list({ env: 'HYPERSCALE_GATE_VOTERS', item: 'string', default: [], description: 'voters' }),
          },
        },
      },
    } as Facts;
    expect(problemsOf(multiDc, withVoters)).toContain('gate-svc reads its voter set from HYPERSCALE_GATE_VOTERS');
  });
});

describe('labels, selectors, services, policies', () => {
  it('reports a Service that selects no pods and one whose port targets nothing', () => {
    const overlay = broken(singleDc, (find) => {
      find('Service', 'hyperscale-manager').spec.selector['app.kubernetes.io/component'] = 'managers';
      find('Service', 'hyperscale-worker-peers').spec.ports[0].targetPort = 'grcp';
    });
    const problems = problemsOf(overlay);
    expect(problems).toContain('Service hyperscale/hyperscale-manager: selects the pods of 0 workloads');
    expect(problems).toContain('port grpc targets no TCP port of worker pods');
  });

  it('reports a workload selector that misses its own template, and a peer Service hiding unready pods', () => {
    const overlay = broken(singleDc, (find) => {
      find('Deployment', 'hyperscale-worker').spec.selector.matchLabels['app.kubernetes.io/name'] = 'other';
      find('Service', 'hyperscale-manager-peers').spec.publishNotReadyAddresses = false;
    });
    const problems = problemsOf(overlay);
    expect(problems).toContain("selector does not match its pod template's labels");
    expect(problems).toContain('publishNotReadyAddresses must be true');
  });

  it('reports NetworkPolicies that open too much or too little', () => {
    const overlay = broken(singleDc, (find) => {
      const worker = find('NetworkPolicy', 'hyperscale-worker');
      delete worker.spec.ingress[0].from;
      find('NetworkPolicy', 'hyperscale-manager').spec.ingress.push({ ports: [{ port: 22, protocol: 'TCP' }] });
      find('NetworkPolicy', 'hyperscale-manager').spec.ingress.push({ from: [{ podSelector: {} }] });
    });
    const problems = problemsOf(overlay);
    expect(problems).toContain('worker gRPC is open beyond the managers of its namespace');
    expect(problems).toContain('opens 22/TCP, which managers do not serve');
    expect(problems).toContain('an ingress rule without ports opens every port');
  });

  it('reports workers that cannot be reached by their managers', () => {
    const overlay = broken(singleDc, (find) => {
      find('NetworkPolicy', 'hyperscale-worker').spec.ingress[0].from[0].podSelector.matchLabels[
        'app.kubernetes.io/component'
      ] = 'gate';
    });
    expect(problemsOf(overlay)).toContain('its managers cannot reach worker gRPC 7300/TCP');
  });
});

describe('addresses, datacenters, pods', () => {
  it('reports managers that list the wrong gates, and datacenters sharing a name', () => {
    const overlay = broken(multiDc, (find) => {
      env(find('StatefulSet', 'hyperscale-manager', 'hyperscale-us-east'), 'HYPERSCALE_GATES').value =
        'hyperscale-gate-0.hyperscale-gate-peers.hyperscale.svc:7100';
      find('StatefulSet', 'hyperscale-manager', 'hyperscale-ap-south').spec.template.metadata.labels[
        'hyperscale.dev/datacenter'
      ] = 'eu-west';
    });
    const problems = problemsOf(overlay);
    expect(problems).toContain('HYPERSCALE_GATES [hyperscale-gate-0.hyperscale-gate-peers.hyperscale.svc:7100]');
    expect(problems).toContain('namespace hyperscale-ap-south: its managers and workers disagree on the datacenter');
    expect(problems).toContain('datacenter eu-west appears in namespaces');
  });

  it('reports a grace period shorter than the drain, a node-wide core count and an unpinned image', () => {
    const overlay = broken(singleDc, (find) => {
      const worker = find('Deployment', 'hyperscale-worker');
      worker.spec.template.spec.terminationGracePeriodSeconds = 30;
      env(worker, 'HYPERSCALE_WORKER_CORES').valueFrom = undefined;
      env(worker, 'HYPERSCALE_WORKER_CORES').value = '0';
      container(worker).image = 'hyperscale-worker:latest';
    });
    const problems = problemsOf(overlay);
    expect(problems).toMatch(
      /terminationGracePeriodSeconds 30 is shorter than .* worker-svc's shutdown steps \(\d+ s\)/,
    );
    expect(problems).toContain('HYPERSCALE_WORKER_CORES is 0');
    expect(problems).toContain('must carry a version tag or digest');
  });

  it('reports root users, committed secrets and objects outside the overlay namespaces', () => {
    const overlay = broken(singleDc, (find) => {
      find('StatefulSet', 'hyperscale-manager').spec.template.spec.securityContext.runAsUser = 0;
    });
    overlay.objects.push({
      apiVersion: 'v1',
      kind: 'Secret',
      metadata: { name: 'hyperscale-gossip-keyring', namespace: 'elsewhere' },
    });
    const problems = problemsOf(overlay);
    expect(problems).toContain("runAsUser should be the image's user 1000");
    expect(problems).toContain('secrets are referenced, never committed');
    expect(problems).toContain('namespace elsewhere is not created by the overlay');
  });
});

describe('facts read from the code', () => {
  it('finds every shutdown step bound and the image user', () => {
    expect(facts.roles.worker.shutdownTimeouts).toContain('settings.drainTimeout + 5_000');
    expect(facts.roles.gate.shutdownTimeouts.length).toBeGreaterThanOrEqual(3);
    expect(shutdownTimeoutsOf('no shutdown here')).toEqual([]);
    expect(imageFactsOf('FROM a AS b\nUSER 0\nFROM c\nUSER 1000:1000\nEXPOSE 1/tcp 2/udp\n')).toEqual({
      uid: 1000,
      exposes: ['1/tcp', '2/udp'],
    });
    expect([...facts.adminPaths].sort()).toEqual(['/debug/state', '/healthz', '/metrics', '/readyz']);
  });

  it('without kubectl the tests fail with an install hint instead of skipping', () => {
    const path = process.env['PATH'];
    const empty = mkdtempSync(join(tmpdir(), 'no-kubectl-'));
    process.env['PATH'] = empty;
    try {
      expect(() => requireKubectl()).toThrow(/kubectl is required .*Install kubectl/s);
    } finally {
      process.env['PATH'] = path;
      rmSync(empty, { recursive: true, force: true });
    }
  });
});
