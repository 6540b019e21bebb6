// The classification table must cover exactly the RPCs the services serve: compared here with the
// generated service descriptors (what grpc-js reports as the call path), so adding an RPC without
// classifying it — or leaving a stale entry behind — fails.
import { priorityOfRpc, RPC_CLASSIFICATION } from '@hyperscale/backpressure';
import { GateControlService, GateService, ManagerService, methodPaths, WorkerService } from '@hyperscale/protocol';
import { describe, expect, it } from 'vitest';

const served = [GateService, GateControlService, ManagerService, WorkerService].flatMap((s) => methodPaths(s)).sort();

describe('RPC classification', () => {
  it('has one entry per generated service method, and none for methods that do not exist', () => {
    expect(Object.keys(RPC_CLASSIFICATION).sort()).toEqual(served);
  });

  it('keeps cancellation, final results and timeouts CRITICAL', () => {
    for (const path of [
      '/hyperscale.v1.GateService/CancelJob',
      '/hyperscale.v1.ManagerService/CancelJob',
      '/hyperscale.v1.WorkerService/CancelWorkflow',
      '/hyperscale.v1.ManagerService/ReportResult',
      '/hyperscale.v1.GateControlService/ReportJobResult',
      '/hyperscale.v1.ManagerService/ApplyGlobalTimeout',
    ]) {
      expect(priorityOfRpc(path), path).toBe(0);
    }
  });
});
