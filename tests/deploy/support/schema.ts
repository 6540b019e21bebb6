// Validates rendered objects against the Kubernetes OpenAPI schemas that kubernetes-models ships,
// and finds unknown fields, which those validators accept silently (a misspelt `readinessProbe`
// or `containerport` would be dropped by the API server without a word). The unknown-field walk
// runs the model's own compiled validator over a recording proxy: every property name the
// validator reads is a field the schema knows; an object the validator enumerates (labels,
// resource lists) is a map, open to any key. What the data has and the validator never read is
// unknown to the schema.

import { validate as validateDeployment } from 'kubernetes-models/_schemas/IoK8sApiAppsV1Deployment';
import { validate as validateStatefulSet } from 'kubernetes-models/_schemas/IoK8sApiAppsV1StatefulSet';
import { validate as validateConfigMap } from 'kubernetes-models/_schemas/IoK8sApiCoreV1ConfigMap';
import { validate as validateNamespace } from 'kubernetes-models/_schemas/IoK8sApiCoreV1Namespace';
import { validate as validateService } from 'kubernetes-models/_schemas/IoK8sApiCoreV1Service';
import { validate as validateServiceAccount } from 'kubernetes-models/_schemas/IoK8sApiCoreV1ServiceAccount';
import { validate as validateNetworkPolicy } from 'kubernetes-models/_schemas/IoK8sApiNetworkingV1NetworkPolicy';
import { validate as validatePodDisruptionBudget } from 'kubernetes-models/_schemas/IoK8sApiPolicyV1PodDisruptionBudget';
import { Deployment } from 'kubernetes-models/apps/v1/Deployment';
import { StatefulSet } from 'kubernetes-models/apps/v1/StatefulSet';
import { NetworkPolicy } from 'kubernetes-models/networking.k8s.io/v1/NetworkPolicy';
import { PodDisruptionBudget } from 'kubernetes-models/policy/v1/PodDisruptionBudget';
import { ConfigMap } from 'kubernetes-models/v1/ConfigMap';
import { Namespace } from 'kubernetes-models/v1/Namespace';
import { Service } from 'kubernetes-models/v1/Service';
import { ServiceAccount } from 'kubernetes-models/v1/ServiceAccount';
import type { K8sObject } from './render.js';

type SchemaValidate = (data: unknown) => boolean;
interface ModelClass {
  new (data: never): { validate(): void };
}

/** The kinds the manifests may contain; anything else is refused until it is added here. */
const KINDS: Record<string, { model: ModelClass; validate: SchemaValidate }> = {
  'v1/Namespace': { model: Namespace, validate: validateNamespace },
  'v1/ServiceAccount': { model: ServiceAccount, validate: validateServiceAccount },
  'v1/Service': { model: Service, validate: validateService },
  'v1/ConfigMap': { model: ConfigMap, validate: validateConfigMap },
  'apps/v1/StatefulSet': { model: StatefulSet, validate: validateStatefulSet },
  'apps/v1/Deployment': { model: Deployment, validate: validateDeployment },
  'policy/v1/PodDisruptionBudget': { model: PodDisruptionBudget, validate: validatePodDisruptionBudget },
  'networking.k8s.io/v1/NetworkPolicy': { model: NetworkPolicy, validate: validateNetworkPolicy },
};

export function describeObject(object: K8sObject): string {
  const namespace = object.metadata?.namespace ? `${object.metadata.namespace}/` : '';
  return `${object.kind} ${namespace}${object.metadata?.name ?? '<no name>'}`;
}

/** Schema problems of one object (kubernetes-models' validation), as readable lines. */
export function schemaProblems(object: K8sObject): string[] {
  const entry = KINDS[`${object.apiVersion}/${object.kind}`];
  if (!entry) return [`${describeObject(object)}: ${object.apiVersion} ${object.kind} is not a kind the manifests use`];
  try {
    new entry.model(object as never).validate();
    return [];
  } catch (error) {
    return [`${describeObject(object)}: ${error instanceof Error ? error.message : String(error)}`];
  }
}

interface Visit {
  path: string;
  value: object;
  read: Set<string>;
  enumerated: boolean;
}

function recording(value: unknown, path: string, visits: Visit[]): unknown {
  if (value === null || typeof value !== 'object') return value;
  const visit: Visit = { path, value, read: new Set(), enumerated: false };
  visits.push(visit);
  const children = new Map<string, unknown>();
  return new Proxy(value, {
    get(target, key, receiver) {
      const child = Reflect.get(target, key, receiver) as unknown;
      if (typeof key !== 'string') return child;
      visit.read.add(key);
      if (child === null || typeof child !== 'object') return child;
      if (!children.has(key)) children.set(key, recording(child, `${path}/${key}`, visits));
      return children.get(key);
    },
    has(target, key) {
      if (typeof key === 'string') visit.read.add(key);
      return Reflect.has(target, key);
    },
    ownKeys(target) {
      visit.enumerated = true;
      return Reflect.ownKeys(target);
    },
  });
}

/** Fields the kind's schema does not define, as JSON-pointer-like paths. */
export function unknownFields(object: K8sObject): string[] {
  const entry = KINDS[`${object.apiVersion}/${object.kind}`];
  if (!entry) return [`${describeObject(object)}: no schema for ${object.apiVersion} ${object.kind}`];
  const visits: Visit[] = [];
  entry.validate(recording(object, '', visits));
  const unknown: string[] = [];
  for (const visit of visits) {
    if (Array.isArray(visit.value) || visit.enumerated) continue;
    for (const key of Object.keys(visit.value)) {
      if (!visit.read.has(key)) unknown.push(`${describeObject(object)}: unknown field ${visit.path}/${key}`);
    }
  }
  return unknown;
}
