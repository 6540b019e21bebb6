// The admission interceptor (src/shell/) on a real in-process grpc-js server (no sleeps; the overload state is
// set directly and latency is read from an injected clock): CRITICAL is never refused, even at
// full saturation; lower priorities are shed by state and capped in flight, answered
// RESOURCE_EXHAUSTED with retry-after-ms; slots are given back; streams do not hold one.
import { status as grpcStatus, Server, ServerCredentials } from '@grpc/grpc-js';
import { VirtualClock } from '@hyperscale/deterministic';
import {
  type ClientOf,
  createClient,
  grpcErrorInfo,
  type HandlersOf,
  ManagerService,
  RETRY_AFTER_MS_KEY,
  serviceDefinition,
  serviceImplementation,
} from '@hyperscale/protocol';
import { afterEach, describe, expect, it } from 'vitest';
import { InFlightTracker, LoadShedder, OverloadDetector, OverloadState, Priority } from '../src/index.js';
import { admissionInterceptor, IN_FLIGHT_RETRY_AFTER_MS } from '../src/shell/admission-interceptor.js';

interface Harness {
  client: ClientOf<typeof ManagerService>;
  detector: OverloadDetector;
  tracker: InFlightTracker;
  shedder: LoadShedder;
  clock: VirtualClock;
  handled: string[];
  refused: { path: string; message: unknown; reason: string }[];
  latencies: number[];
  /** Resolves the pending GetJob handler. */
  releaseGetJob: () => void;
  close(): void;
}

const servers: Server[] = [];
afterEach(() => {
  for (const s of servers.splice(0)) s.forceShutdown();
});

async function start(
  limits: ConstructorParameters<typeof InFlightTracker>[0] = {},
  shedBeforeMessage?: (path: string) => boolean,
): Promise<Harness> {
  const clock = new VirtualClock(1_000);
  const detector = new OverloadDetector();
  const shedder = new LoadShedder(detector);
  const tracker = new InFlightTracker(limits);
  const handled: string[] = [];
  const refused: Harness['refused'] = [];
  const latencies: number[] = [];
  let releaseGetJob = () => {};
  const server = new Server({
    interceptors: [
      admissionInterceptor({
        tracker,
        shedder,
        now: () => clock.now(),
        onLatency: (_path, ms) => latencies.push(ms),
        onRefused: (path, message, reason) => refused.push({ path, message, reason }),
        ...(shedBeforeMessage ? { shedBeforeMessage } : {}),
      }),
    ],
  });
  servers.push(server);
  const unary =
    <R>(name: string, reply: R, before?: () => Promise<void>) =>
    async (): Promise<R> => {
      handled.push(name);
      clock.advance(7); // the handler "takes" 7 ms of virtual time
      if (before) await before();
      return reply;
    };
  const unused = async (): Promise<never> => {
    throw new Error('not used');
  };
  const handlers: HandlersOf<typeof ManagerService> = {
    submitJob: unused,
    applyGlobalTimeout: unused,
    reportResult: unused,
    cancelJob: unary('cancelJob', { alreadyTerminal: true }),
    workerHeartbeat: unary('workerHeartbeat', { known: true }),
    reportProgress: unary('reportProgress', { accepted: true }),
    registerWorker: unary('registerWorker', { accepted: true }),
    getJob: unary(
      'getJob',
      {},
      () =>
        new Promise<void>((resolve) => {
          releaseGetJob = resolve;
        }),
    ),
    watchJob: async (_request, stream) => {
      handled.push('watchJob');
      await stream.write({});
    },
  };
  const implementation = serviceImplementation(ManagerService, handlers);
  server.addService(serviceDefinition(ManagerService), implementation);
  const port = await new Promise<number>((resolve, reject) =>
    server.bindAsync('127.0.0.1:0', ServerCredentials.createInsecure(), (e, p) => (e ? reject(e) : resolve(p))),
  );
  const client = createClient(ManagerService, `127.0.0.1:${port}`, { defaultDeadlineMs: 5_000 });
  return {
    client,
    detector,
    tracker,
    shedder,
    clock,
    handled,
    refused,
    latencies,
    releaseGetJob: () => releaseGetJob(),
    close: () => client.close(),
  };
}

async function refusal(call: Promise<unknown>) {
  const error = await call.then(
    () => undefined,
    (e: unknown) => e,
  );
  return grpcErrorInfo(error);
}

describe('admission interceptor', () => {
  it('admits everything when healthy, gives the slot back and reports handler latency', async () => {
    const h = await start();
    await h.client.workerHeartbeat({ workerId: 'w1' });
    await h.client.cancelJob({ jobId: 'j' });
    expect(h.handled).toEqual(['workerHeartbeat', 'cancelJob']);
    expect(h.tracker.inFlight()).toBe(0);
    expect(h.latencies).toEqual([7, 7]);
    h.close();
  });

  it('sheds NORMAL when stressed with RESOURCE_EXHAUSTED + retry-after, and tells who was refused', async () => {
    const h = await start();
    h.detector.recordResources(0.9, 0); // STRESSED
    const info = await refusal(h.client.workerHeartbeat({ workerId: 'w7' }));
    expect(info?.code).toBe(grpcStatus.RESOURCE_EXHAUSTED);
    expect(info?.retryAfterMs).toBe(1_000);
    expect(h.handled).toEqual([]);
    expect(h.refused).toHaveLength(1);
    expect(h.refused[0]!.reason).toBe('shed');
    expect((h.refused[0]!.message as { workerId: string }).workerId).toBe('w7');
    expect(h.shedder.shedCount(Priority.NORMAL)).toBe(1);
    // HIGH still served when stressed.
    await h.client.registerWorker({ workerId: 'w7', address: 'x:1' });
    expect(h.handled).toEqual(['registerWorker']);
    h.close();
  });

  it('sheds a path marked shedBeforeMessage at its headers, without its message, counted once', async () => {
    const h = await start({}, (path) => path.endsWith('/ReportProgress'));
    h.detector.recordResources(0.9, 0); // STRESSED
    const info = await refusal(h.client.reportProgress({ jobId: 'j', workerId: 'w7' }));
    expect(info?.code).toBe(grpcStatus.RESOURCE_EXHAUSTED);
    expect(h.refused).toEqual([
      { path: '/hyperscale.v1.ManagerService/ReportProgress', message: undefined, reason: 'shed' },
    ]);
    expect(h.shedder.shedCount(Priority.NORMAL)).toBe(1);
    // other NORMAL paths are still shed with their message
    await refusal(h.client.workerHeartbeat({ workerId: 'w8' }));
    expect((h.refused[1]!.message as { workerId: string }).workerId).toBe('w8');
    // healthy again: the marked path is admitted, and nothing more is counted as shed
    while (h.detector.state !== OverloadState.HEALTHY) h.detector.recordResources(0.1, 0);
    const shedSoFar = h.shedder.shedCount(Priority.NORMAL);
    await h.client.reportProgress({ jobId: 'j', workerId: 'w7' });
    expect(h.handled).toEqual(['reportProgress']);
    expect(h.shedder.shedCount(Priority.NORMAL)).toBe(shedSoFar);
    h.close();
  });

  it('never refuses CRITICAL at full saturation: overloaded and every cap at zero', async () => {
    const h = await start({ high: 0, normal: 0, low: 0, global: 0 });
    h.detector.recordResources(1, 1); // OVERLOADED
    for (let i = 0; i < 20; i++) await h.client.cancelJob({ jobId: `j${i}` });
    expect(h.handled.filter((n) => n === 'cancelJob')).toHaveLength(20);
    expect(h.tracker.refusedCount(Priority.CRITICAL)).toBe(0);
    expect(h.shedder.shedCount(Priority.CRITICAL)).toBe(0);
    // Everything else is refused.
    expect((await refusal(h.client.registerWorker({ workerId: 'w' })))?.code).toBe(grpcStatus.RESOURCE_EXHAUSTED);
    expect((await refusal(h.client.reportProgress({ workerId: 'w' })))?.code).toBe(grpcStatus.RESOURCE_EXHAUSTED);
    h.close();
  });

  it('caps calls in flight per priority, counts CRITICAL without refusing it, and releases on completion', async () => {
    const h = await start({ normal: 1 });
    const first = h.client.getJob({ jobId: 'j' }); // NORMAL, held open by its handler
    await h.client.cancelJob({ jobId: 'j' }); // a round trip: GetJob has been admitted by now
    expect(h.tracker.inFlight(Priority.NORMAL)).toBe(1);
    const second = await refusal(h.client.workerHeartbeat({ workerId: 'w' }));
    expect(second?.code).toBe(grpcStatus.RESOURCE_EXHAUSTED);
    expect(second?.retryAfterMs).toBe(IN_FLIGHT_RETRY_AFTER_MS);
    expect(h.tracker.refusedCount(Priority.NORMAL)).toBe(1);
    h.releaseGetJob();
    await first;
    expect(h.tracker.inFlight()).toBe(0);
    await h.client.workerHeartbeat({ workerId: 'w' });
    expect(h.handled).toContain('workerHeartbeat');
    h.close();
  });

  it('a server stream is admitted at open and does not keep its slot', async () => {
    const h = await start({ high: 1 });
    for await (const _ of h.client.watchJob({ jobId: 'j' })) {
      expect(h.tracker.inFlight(Priority.HIGH)).toBe(0);
    }
    expect(h.handled).toEqual(['watchJob']);
    expect(RETRY_AFTER_MS_KEY).toBe('retry-after-ms');
    h.close();
  });
});
