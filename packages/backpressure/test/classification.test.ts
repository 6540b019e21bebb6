// The classification table must name every RPC of the wire contract, and nothing else: this test
// reads `rpc Name(` lines out of proto/hyperscale/v1/*.proto, so adding an RPC without a class
// (or removing one and leaving its row) fails here.
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import {
  classifyRpc,
  classifySwim,
  isClassifiedRpc,
  MessageClass,
  normaliseMethodName,
  Priority,
  priorityOfRpc,
  RPC_CLASSIFICATION,
  SWIM_CLASSIFICATION,
  SWIM_MESSAGE_TYPES,
} from '../src/index.js';

const protoDir = fileURLToPath(new URL('../../../proto/hyperscale/v1/', import.meta.url));

/** `/<package>.<Service>/<Rpc>` for every rpc declared in the proto files. */
function rpcMethodsFromProtos(): string[] {
  const methods: string[] = [];
  for (const file of readdirSync(protoDir).filter((f) => f.endsWith('.proto'))) {
    const source = readFileSync(join(protoDir, file), 'utf8').replace(/\/\/.*$/gm, '');
    const pkg = /^\s*package\s+([\w.]+)\s*;/m.exec(source)?.[1];
    let service: string | undefined;
    let depth = 0;
    for (const line of source.split('\n')) {
      const serviceMatch = /^\s*service\s+(\w+)\s*\{/.exec(line);
      if (serviceMatch) {
        service = serviceMatch[1];
        depth = 0;
      }
      const rpc = /^\s*rpc\s+(\w+)\s*\(/.exec(line);
      if (rpc && service) methods.push(`/${pkg}.${service}/${rpc[1]}`);
      if (service) {
        depth += (line.match(/\{/g) ?? []).length - (line.match(/\}/g) ?? []).length;
        if (depth <= 0 && !serviceMatch) service = undefined;
      }
    }
  }
  return methods.sort();
}

describe('RPC classification table', () => {
  const protoMethods = rpcMethodsFromProtos();

  it('finds the RPCs of the wire contract', () => {
    expect(protoMethods.length).toBeGreaterThanOrEqual(10);
    expect(protoMethods).toContain('/hyperscale.v1.ManagerService/ReportProgress');
  });

  it('classifies every RPC declared in proto/hyperscale/v1', () => {
    const unclassified = protoMethods.filter((m) => !isClassifiedRpc(m));
    expect(unclassified, `add these RPCs to RPC_CLASSIFICATION in src/classification.ts`).toEqual([]);
  });

  it('has no row for an RPC that no longer exists', () => {
    const stale = Object.keys(RPC_CLASSIFICATION).filter((m) => !protoMethods.includes(m));
    expect(stale).toEqual([]);
  });

  it('puts cancellation and final results in CONTROL, progress in DATA, dispatch in DISPATCH', () => {
    for (const m of [
      '/hyperscale.v1.GateService/CancelJob',
      '/hyperscale.v1.ManagerService/CancelJob',
      '/hyperscale.v1.WorkerService/CancelWorkflow',
      '/hyperscale.v1.ManagerService/ReportResult',
      '/hyperscale.v1.GateControlService/ReportJobResult',
    ]) {
      expect(classifyRpc(m), m).toBe(MessageClass.CONTROL);
      expect(priorityOfRpc(m), m).toBe(Priority.CRITICAL);
    }
    expect(classifyRpc('/hyperscale.v1.ManagerService/ReportProgress')).toBe(MessageClass.DATA);
    expect(classifyRpc('/hyperscale.v1.GateControlService/ReportJobProgress')).toBe(MessageClass.DATA);
    expect(classifyRpc('/hyperscale.v1.WorkerService/DispatchWorkflow')).toBe(MessageClass.DISPATCH);
    expect(priorityOfRpc('/hyperscale.v1.GateService/SubmitJob')).toBe(Priority.HIGH);
    expect(priorityOfRpc('/hyperscale.v1.GateService/ListDatacenters')).toBe(Priority.LOW);
  });

  it('treats an unknown method as DATA / NORMAL (facts §7.4)', () => {
    expect(isClassifiedRpc('/hyperscale.v1.GateService/Nope')).toBe(false);
    expect(classifyRpc('/hyperscale.v1.GateService/Nope')).toBe(MessageClass.DATA);
    expect(priorityOfRpc('garbage')).toBe(Priority.NORMAL);
  });

  it('accepts the slash, no-leading-slash and dotted forms of a method name', () => {
    expect(normaliseMethodName('hyperscale.v1.WorkerService/CancelWorkflow')).toBe(
      '/hyperscale.v1.WorkerService/CancelWorkflow',
    );
    expect(normaliseMethodName('hyperscale.v1.WorkerService.CancelWorkflow')).toBe(
      '/hyperscale.v1.WorkerService/CancelWorkflow',
    );
    expect(classifyRpc('hyperscale.v1.WorkerService.CancelWorkflow')).toBe(MessageClass.CONTROL);
  });
});

describe('SWIM classification', () => {
  it('has every SWIM message type, all CONTROL', () => {
    expect(Object.keys(SWIM_CLASSIFICATION).sort()).toEqual([...SWIM_MESSAGE_TYPES].sort());
    for (const type of ['ping', 'ack', 'nack', 'ping-req', 'suspect', 'alive', 'dead', 'leave', 'join', 'sync']) {
      expect(classifySwim(type), type).toBe(MessageClass.CONTROL);
    }
  });

  it('treats an unknown SWIM type as CONTROL (it is still failure detection)', () => {
    expect(classifySwim('compound')).toBe(MessageClass.CONTROL);
  });
});
