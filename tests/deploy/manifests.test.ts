// Renders every overlay under deploy/overlays with `kubectl kustomize` and checks each object
// against the Kubernetes schemas (kubernetes-models), for unknown fields, and for agreement with
// the services' code (support/checks.ts). kubectl missing is a failure with an install hint.
import { beforeAll, describe, expect, it } from 'vitest';
import { semanticProblems, workloadsOf } from './support/checks.js';
import { loadFacts } from './support/facts.js';
import { discoverOverlays, type RenderedOverlay, renderOverlay, requireKubectl } from './support/render.js';
import { schemaProblems, unknownFields } from './support/schema.js';

const EXPECTED_OVERLAYS = [
  'multi-dc',
  'multi-dc/ap-south',
  'multi-dc/eu-west',
  'multi-dc/gates',
  'multi-dc/us-east',
  'single-dc',
];
const overlays = discoverOverlays();
const rendered = new Map<string, RenderedOverlay>();
const facts = loadFacts();

beforeAll(() => {
  requireKubectl();
  for (const name of overlays) rendered.set(name, renderOverlay(name));
});

function get(name: string): RenderedOverlay {
  const overlay = rendered.get(name);
  if (!overlay) throw new Error(`overlay ${name} was not rendered`);
  return overlay;
}

it('has the single-dc overlay and the multi-dc overlays (gates, three datacenters, all together)', () => {
  expect(overlays).toEqual(EXPECTED_OVERLAYS);
});

describe.each(EXPECTED_OVERLAYS)('overlay %s', (name) => {
  it('validates against the Kubernetes schemas', () => {
    const overlay = get(name);
    expect(overlay.objects.length).toBeGreaterThan(0);
    expect(overlay.objects.flatMap(schemaProblems)).toEqual([]);
  });

  it('has no field the schemas do not know', () => {
    expect(get(name).objects.flatMap(unknownFields)).toEqual([]);
  });

  it('agrees with the services: settings, ports, probes, voters, selectors, policies, addresses', () => {
    expect(semanticProblems(get(name), facts)).toEqual([]);
  });
});

describe('topology', () => {
  function roles(name: string): string[] {
    return workloadsOf(get(name), facts)
      .workloads.map((w) => `${w.namespace}/${w.role}×${w.replicas}`)
      .sort();
  }

  it('single-dc is one datacenter without gates', () => {
    expect(roles('single-dc')).toEqual(['hyperscale/manager×3', 'hyperscale/worker×3']);
  });

  it('multi-dc is the global gates plus three datacenters, each in its namespace', () => {
    expect(roles('multi-dc')).toEqual([
      'hyperscale-ap-south/manager×3',
      'hyperscale-ap-south/worker×2',
      'hyperscale-eu-west/manager×3',
      'hyperscale-eu-west/worker×6',
      'hyperscale-global/gate×3',
      'hyperscale-us-east/manager×3',
      'hyperscale-us-east/worker×4',
    ]);
    const datacenters = workloadsOf(get('multi-dc'), facts)
      .workloads.filter((w) => w.role === 'manager')
      .map((w) => w.envs[0]?.['HYPERSCALE_DATACENTER'])
      .sort();
    expect(datacenters).toEqual(['ap-south', 'eu-west', 'us-east']);
  });

  it('the combined multi-dc render is exactly its four parts', () => {
    const key = (o: { kind: string; metadata: { name: string; namespace?: string } }) =>
      `${o.kind}/${o.metadata.namespace ?? ''}/${o.metadata.name}`;
    const parts = ['multi-dc/gates', 'multi-dc/eu-west', 'multi-dc/us-east', 'multi-dc/ap-south'].flatMap((n) =>
      get(n).objects.map(key),
    );
    expect(get('multi-dc').objects.map(key).sort()).toEqual(parts.sort());
  });
});
