// A local topology: which gates, managers and workers `hyperscale cluster up` starts on one host,
// and on which ports. Validated strictly, with errors naming the field, like job specs.
import { parse as parseYaml } from 'yaml';

export interface NodePorts {
  id: string;
  grpcPort: number;
  adminPort: number;
  /** Environment for this node only (over the topology's env). */
  env?: Record<string, string>;
}

export interface WorkerNode extends NodePorts {
  cores: number;
}

export interface DatacenterTopology {
  name: string;
  managers: NodePorts[];
  workers: WorkerNode[];
}

export interface Topology {
  host: string;
  gates: NodePorts[];
  datacenters: DatacenterTopology[];
  /** Port of the built-in HTTP target, when the topology wants one. */
  targetPort: number | undefined;
  /** Extra environment for every node (e.g. HYPERSCALE_LOG_LEVEL). */
  env: Record<string, string>;
}

export class TopologyError extends Error {
  override readonly name = 'TopologyError';
  constructor(readonly problems: string[]) {
    super(`invalid topology:\n${problems.map((p) => `  - ${p}`).join('\n')}`);
  }
}

type Dict = Record<string, unknown>;
const ID = /^[A-Za-z0-9_.-]{1,64}$/;

export function parseTopology(text: string): Topology {
  const problems: string[] = [];
  let doc: unknown;
  try {
    doc = parseYaml(text);
  } catch (error) {
    throw new TopologyError([`not valid YAML: ${error instanceof Error ? error.message : String(error)}`]);
  }
  const isDict = (v: unknown): v is Dict => typeof v === 'object' && v !== null && !Array.isArray(v);
  if (!isDict(doc)) throw new TopologyError(['the document must be a mapping']);
  const only = (d: Dict, path: string, keys: string[]) => {
    for (const k of Object.keys(d))
      if (!keys.includes(k)) problems.push(`${path}${k}: unknown key (allowed: ${keys.join(', ')})`);
  };
  only(doc, '', ['host', 'gates', 'datacenters', 'target', 'env']);
  const ports = new Map<number, string>();
  const ids = new Set<string>();
  const port = (v: unknown, path: string): number => {
    if (typeof v !== 'number' || !Number.isInteger(v) || v < 1 || v > 65_535) {
      problems.push(`${path}: must be a port 1..65535`);
      return 0;
    }
    const owner = ports.get(v);
    if (owner) problems.push(`${path}: port ${v} is already used by ${owner}`);
    ports.set(v, path);
    return v;
  };
  const envOf = (v: unknown, path: string): Record<string, string> => {
    const env: Record<string, string> = {};
    if (!isDict(v)) problems.push(`${path}: must be a mapping of variable names to values`);
    else for (const [k, value] of Object.entries(v)) env[k] = String(value);
    return env;
  };
  const node = (v: unknown, path: string, extra: string[] = []): NodePorts | undefined => {
    if (!isDict(v)) {
      problems.push(`${path}: must be a mapping`);
      return undefined;
    }
    only(v, `${path}.`, ['id', 'grpc_port', 'admin_port', 'env', ...extra]);
    const id = typeof v['id'] === 'string' && ID.test(v['id']) ? v['id'] : '';
    if (!id) problems.push(`${path}.id: must be 1-64 characters of [A-Za-z0-9_.-]`);
    else if (ids.has(id)) problems.push(`${path}.id: '${id}' is used twice`);
    ids.add(id);
    return {
      id,
      grpcPort: port(v['grpc_port'], `${path}.grpc_port`),
      adminPort: port(v['admin_port'], `${path}.admin_port`),
    };
  };
  const host = doc['host'] === undefined ? '127.0.0.1' : String(doc['host']);
  if (!/^(127\.\d+\.\d+\.\d+|localhost|::1)$/.test(host))
    problems.push('host: a local topology runs on loopback (127.x.x.x, localhost or ::1)');
  const gatesRaw = doc['gates'];
  const gates = Array.isArray(gatesRaw) ? gatesRaw.flatMap((g, i) => node(g, `gates[${i}]`) ?? []) : [];
  if (!Array.isArray(gatesRaw)) problems.push('gates: must be a list (may be empty for single-datacenter mode)');
  const dcsRaw = doc['datacenters'];
  const datacenters: DatacenterTopology[] = [];
  if (!Array.isArray(dcsRaw) || dcsRaw.length === 0) problems.push('datacenters: must be a non-empty list');
  else {
    dcsRaw.forEach((d, i) => {
      const path = `datacenters[${i}]`;
      if (!isDict(d)) {
        problems.push(`${path}: must be a mapping`);
        return;
      }
      only(d, `${path}.`, ['name', 'managers', 'workers']);
      const name = typeof d['name'] === 'string' && ID.test(d['name']) ? d['name'] : '';
      if (!name) problems.push(`${path}.name: must be 1-64 characters of [A-Za-z0-9_.-]`);
      const managers = Array.isArray(d['managers'])
        ? d['managers'].flatMap((m, j) => node(m, `${path}.managers[${j}]`) ?? [])
        : [];
      if (managers.length === 0) problems.push(`${path}.managers: must list at least one manager`);
      const workers = Array.isArray(d['workers'])
        ? d['workers'].flatMap((w, j) => {
            const n = node(w, `${path}.workers[${j}]`, ['cores']);
            if (!n) return [];
            const cores = isDict(w) && w['cores'] !== undefined ? w['cores'] : 1;
            if (typeof cores !== 'number' || !Number.isInteger(cores) || cores < 1 || cores > 256) {
              problems.push(`${path}.workers[${j}].cores: must be an integer 1..256`);
            }
            return [{ ...n, cores: Number(cores) }];
          })
        : [];
      if (workers.length === 0) problems.push(`${path}.workers: must list at least one worker`);
      datacenters.push({ name, managers, workers });
    });
  }
  let targetPort: number | undefined;
  if (doc['target'] !== undefined) {
    const t = doc['target'];
    if (!isDict(t)) problems.push('target: must be a mapping with a port');
    else {
      only(t, 'target.', ['port']);
      targetPort = port(t['port'], 'target.port');
    }
  }
  const env = doc['env'] === undefined ? {} : envOf(doc['env'], 'env');
  if (problems.length > 0) throw new TopologyError(problems);
  return { host, gates, datacenters, targetPort, env };
}
