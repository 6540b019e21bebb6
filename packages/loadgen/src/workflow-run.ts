// One worker core's share of a workflow: VUs that run the steps in order, in a loop, until the
// duration is up. `constant-vus` is the closed model (each VU starts its next iteration when the
// last one ends); `constant-arrival-rate` is the open model (iterations start on a fixed schedule,
// whatever the responses do, and latency is measured from the intended start so coordinated
// omission is corrected). The hot path is callbacks on undici's dispatch handler: no promise, no
// closure and no timer per request; timeouts are enforced by one periodic scan per run.
import { LOADGEN_DEFAULTS } from './config.js';
import { clampMicros, createHistogram, encodeHistogram, type Histogram } from './histogram.js';
import { type HttpStepSpec, httpSteps, type StepSpec, type WorkflowSpec } from './spec-types.js';
import type { StatsSnapshot, StepStats } from './stats.js';
import { systemTimers, type Timers } from './timers.js';
import type { ExchangeHandler, HttpTransport, PreparedRequest } from './transport.js';
import { UndiciTransport } from './undici-transport.js';

export interface WorkflowRunOptions {
  /** This core's share of the workflow (see `workflowShare`). */
  workflow: WorkflowSpec;
  /** Overrides workflow.vus (constant-vus). */
  vus?: number;
  /** Overrides the executor's rate (constant-arrival-rate), iterations per second. */
  rate?: number;
  /** Overrides workflow.durationMs. */
  durationMs?: number;
  /** Aborting it cancels the run. */
  signal?: AbortSignal;
  /** Called every `progressIntervalMs` with the cumulative snapshot. */
  onProgress?: (cumulative: StatsSnapshot) => void;
  progressIntervalMs?: number;
  /** Monotonic clock and timers; `VirtualClock` fits (tests). */
  timers?: Timers;
  /** Unix ms for report timestamps. */
  wallClock?: () => number;
  /** Default: a new UndiciTransport, owned and destroyed by the run. A given one is not destroyed. */
  transport?: HttpTransport;
}

export type WorkflowRunState = 'idle' | 'running' | 'stopping' | 'finished' | 'cancelled';

const STATUS_SLOTS = 600;

export class RequestTimeoutError extends Error {
  override readonly name = 'RequestTimeoutError';
}

/** Live counters of one HTTP step. */
class StepRecorder {
  requests = 0;
  timeouts = 0;
  transportErrors = 0;
  unexpectedStatus = 0;
  interrupted = 0;
  readonly statusCounts = new Float64Array(STATUS_SLOTS);
  otherStatus = 0;
  readonly latency: Histogram;
  /** Same object as `latency` when the executor has no intended-start correction. */
  readonly serviceTime: Histogram;
  readonly expected: Uint8Array;

  constructor(
    readonly step: HttpStepSpec,
    readonly index: number,
    readonly request: PreparedRequest,
    separateServiceTime: boolean,
  ) {
    this.latency = createHistogram();
    this.serviceTime = separateServiceTime ? createHistogram() : this.latency;
    this.expected = new Uint8Array(STATUS_SLOTS);
    if (step.expectStatus.length === 0) {
      for (let s = LOADGEN_DEFAULTS.expectedStatusMin; s <= LOADGEN_DEFAULTS.expectedStatusMax; s++) {
        this.expected[s] = 1;
      }
    } else {
      for (const s of step.expectStatus) this.expected[s] = 1;
    }
  }

  toStats(): StepStats {
    const statusCounts: Record<string, number> = {};
    for (let s = 0; s < STATUS_SLOTS; s++) {
      const n = this.statusCounts[s]!;
      if (n > 0) statusCounts[String(s)] = n;
    }
    const latency = encodeHistogram(this.latency);
    return {
      name: this.step.name,
      index: this.index,
      requests: this.requests,
      errors: this.timeouts + this.transportErrors + this.unexpectedStatus,
      timeouts: this.timeouts,
      transportErrors: this.transportErrors,
      unexpectedStatus: this.unexpectedStatus,
      interrupted: this.interrupted,
      statusCounts,
      latency,
      serviceTime: this.serviceTime === this.latency ? latency : encodeHistogram(this.serviceTime),
    };
  }
}

/** One compiled step: an HTTP request (with its recorder) or a pause. */
interface CompiledStep {
  recorder: StepRecorder | null;
  /** Think time after the step (HTTP) or the pause itself (think_time step). */
  pauseMs: number;
  timeoutMs: number;
}

class VirtualUser {
  constructor(readonly lane: number) {}
  /** Index into the compiled steps of the current iteration. */
  stepIndex = 0;
  /** How late (ms) the current iteration started against its intended start. */
  lateness = 0;
  active = false;
  exchange: Exchange | null = null;
  cancelPause: (() => void) | null = null;
}

/** One request in flight; the undici dispatch handler. Settles exactly once. */
class Exchange implements ExchangeHandler {
  settled = false;
  status = 0;
  abortFn: ((err?: Error) => void) | null = null;
  /** True while `send` runs, so a synchronous completion is deferred instead of recursing. */
  sending = true;
  failureDeferred = false;

  constructor(
    readonly run: WorkflowRun,
    readonly vu: VirtualUser,
    readonly step: CompiledStep,
    readonly sentAt: number,
  ) {}

  onConnect(abort: (err?: Error) => void): void {
    if (this.settled) abort(new Error('exchange already settled'));
    else this.abortFn = abort;
  }

  onHeaders(statusCode: number): boolean {
    this.status = statusCode;
    return true;
  }

  onData(): boolean {
    return true;
  }

  onComplete(): void {
    if (this.settled) return;
    this.settled = true;
    this.run.completed(this);
  }

  onError(err: Error): void {
    if (this.settled) return;
    this.settled = true;
    this.run.failed(this, err);
  }

  /** Settles it from outside (timeout, cancel) and aborts the request. */
  abort(reason: Error): void {
    this.settled = true;
    const abort = this.abortFn;
    this.abortFn = null;
    if (abort !== null) abort(reason);
  }
}

export class WorkflowRun {
  readonly workflow: WorkflowSpec;
  readonly done: Promise<StatsSnapshot>;
  private resolveDone!: (s: StatsSnapshot) => void;
  private _state: WorkflowRunState = 'idle';
  private readonly timers: Timers;
  private readonly wallClock: () => number;
  private readonly transport: HttpTransport;
  private readonly ownsTransport: boolean;
  private readonly steps: CompiledStep[];
  private readonly recorders: StepRecorder[];
  private readonly vus: VirtualUser[] = [];
  private readonly idle: VirtualUser[] = [];
  private readonly vuCount: number;
  private readonly maxVus: number;
  private readonly rate: number;
  private readonly arrival: boolean;
  private readonly durationMs: number;
  private readonly options: WorkflowRunOptions;
  private readonly timeoutScanMs: number;
  private startedAt = 0;
  private startedAtWall = 0;
  private endedAtWall = 0;
  private activeVus = 0;
  private iterations = 0;
  private droppedIterations = 0;
  private nextArrival = 0;
  /** Cancel functions of the run's own timers, by purpose (each is re-armed, never accumulated). */
  private readonly timerHandles = new Map<'stop' | 'grace' | 'scan' | 'progress' | 'arrival', () => void>();
  private readonly onAbort = (): void => this.cancel('signal aborted');

  constructor(options: WorkflowRunOptions) {
    this.options = options;
    this.workflow = options.workflow;
    this.timers = options.timers ?? systemTimers;
    this.wallClock = options.wallClock ?? Date.now;
    this.durationMs = options.durationMs ?? this.workflow.durationMs;
    const executor = this.workflow.executor;
    this.arrival = executor.type === 'constant-arrival-rate';
    if (executor.type === 'constant-arrival-rate') {
      this.rate = options.rate ?? executor.rate;
      this.vuCount = executor.preAllocatedVus;
      this.maxVus = Math.max(executor.maxVus, executor.preAllocatedVus);
    } else {
      this.rate = 0;
      this.vuCount = options.vus ?? this.workflow.vus;
      this.maxVus = this.vuCount;
    }
    this.ownsTransport = options.transport === undefined;
    // An owned transport serves this run alone: one connection per VU lane.
    this.transport =
      options.transport ?? new UndiciTransport({ connections: Math.max(1, this.maxVus), mode: 'per-vu' });
    this.recorders = [];
    this.steps = this.workflow.steps.map((step: StepSpec): CompiledStep => {
      if (step.kind === 'think_time') return { recorder: null, pauseMs: step.durationMs, timeoutMs: 0 };
      const recorder = new StepRecorder(step, this.recorders.length, this.transport.prepare(step), this.arrival);
      this.recorders.push(recorder);
      return { recorder, pauseMs: step.thinkTimeMs, timeoutMs: step.timeoutMs };
    });
    const minTimeout = Math.min(...httpSteps(this.workflow).map((s) => s.timeoutMs), 1000);
    // A tenth of the shortest timeout, between 1 and 100 ms: timeouts fire at most ~10 % late.
    this.timeoutScanMs = Math.min(100, Math.max(1, Math.floor(minTimeout / 10)));
    this.done = new Promise((resolve) => {
      this.resolveDone = resolve;
    });
  }

  get state(): WorkflowRunState {
    return this._state;
  }

  start(): void {
    if (this._state !== 'idle') throw new Error(`WorkflowRun.start: already ${this._state}`);
    this._state = 'running';
    this.startedAt = this.timers.now();
    this.startedAtWall = this.wallClock();
    const signal = this.options.signal;
    if (signal?.aborted) {
      this.cancel('signal aborted');
      return;
    }
    signal?.addEventListener('abort', this.onAbort, { once: true });
    this.arm('stop', this.durationMs, () => this.beginStop());
    this.scheduleTimeoutScan();
    if (this.options.onProgress !== undefined) this.scheduleProgress();
    for (let i = 0; i < this.vuCount; i++) {
      const vu = new VirtualUser(i);
      this.vus.push(vu);
      if (this.arrival) this.idle.push(vu);
    }
    if (this.durationMs <= 0 || (!this.arrival && this.vuCount === 0) || (this.arrival && this.rate <= 0)) {
      this.beginStop();
      return;
    }
    if (this.arrival) {
      this.arrivalTick();
    } else {
      for (const vu of this.vus) this.startIteration(vu, 0);
    }
  }

  /** Stops issuing requests at once, aborts those in flight, and finishes. Idempotent. */
  cancel(_reason?: string): void {
    if (this._state === 'finished' || this._state === 'cancelled') return;
    if (this._state === 'idle') this.startedAtWall = this.wallClock();
    this._state = 'cancelled';
    this.interruptAll();
    this.finish();
  }

  /** Cumulative stats since the start. */
  snapshot(): StatsSnapshot {
    const ended = this._state === 'finished' || this._state === 'cancelled';
    return {
      workflow: this.workflow.name,
      startedAtMs: this.startedAtWall,
      endedAtMs: ended ? this.endedAtWall : Math.max(this.startedAtWall, this.wallClock()),
      iterations: this.iterations,
      droppedIterations: this.droppedIterations,
      steps: this.recorders.map((r) => r.toStats()),
    };
  }

  // ---- the VU loop ----

  private startIteration(vu: VirtualUser, lateness: number): void {
    vu.active = true;
    vu.stepIndex = 0;
    vu.lateness = lateness;
    this.activeVus++;
    this.advance(vu);
  }

  /** Runs the VU from its current step until it must wait (request, pause) or its work ends. */
  private advance(vu: VirtualUser): void {
    const steps = this.steps;
    while (true) {
      if (this._state === 'cancelled' || this._state === 'finished') return;
      if (vu.stepIndex >= steps.length) {
        this.iterations++;
        if (!this.arrival && this._state === 'running' && this.timers.now() - this.startedAt < this.durationMs) {
          vu.stepIndex = 0;
          continue;
        }
        this.releaseVu(vu);
        return;
      }
      const step = steps[vu.stepIndex]!;
      const recorder = step.recorder;
      if (recorder === null) {
        vu.stepIndex++;
        this.pause(vu, step.pauseMs);
        return;
      }
      const exchange = new Exchange(this, vu, step, this.timers.now());
      vu.exchange = exchange;
      recorder.request.send(exchange, vu.lane);
      exchange.sending = false;
      return;
    }
  }

  private pause(vu: VirtualUser, ms: number): void {
    vu.cancelPause = this.timers.after(ms, () => {
      vu.cancelPause = null;
      this.advance(vu);
    });
  }

  private releaseVu(vu: VirtualUser): void {
    vu.active = false;
    this.activeVus--;
    if (this.arrival && this._state === 'running') this.idle.push(vu);
    if (this._state === 'stopping' && this.activeVus === 0) this.finish();
  }

  /** undici delivered a whole response. */
  completed(exchange: Exchange): void {
    if (exchange.sending) {
      this.defer(() => this.completed(exchange));
      return;
    }
    const vu = exchange.vu;
    if (vu.exchange !== exchange) return;
    vu.exchange = null;
    const step = exchange.step;
    const recorder = step.recorder!;
    const serviceMs = this.timers.now() - exchange.sentAt;
    recorder.requests++;
    const status = exchange.status;
    if (status >= 0 && status < STATUS_SLOTS) {
      recorder.statusCounts[status]!++;
      if (recorder.expected[status] !== 1) recorder.unexpectedStatus++;
    } else {
      recorder.otherStatus++;
      recorder.unexpectedStatus++;
    }
    if (recorder.serviceTime === recorder.latency) {
      recorder.latency.recordValue(clampMicros(serviceMs * 1000));
    } else {
      recorder.serviceTime.recordValue(clampMicros(serviceMs * 1000));
      recorder.latency.recordValue(clampMicros((serviceMs + vu.lateness) * 1000));
    }
    this.next(vu, step);
  }

  /**
   * A transport error. The VU goes on 1 ms later, never from inside the failing dispatcher's error
   * handling: undici's Client asserts that nothing is queued while it fails its queue, and a
   * failure that repeats at once (connection refused) must not spin the loop.
   */
  failed(exchange: Exchange, err: Error): void {
    if (!exchange.failureDeferred) {
      exchange.failureDeferred = true;
      this.defer(() => this.failed(exchange, err));
      return;
    }
    const vu = exchange.vu;
    if (vu.exchange !== exchange) return;
    vu.exchange = null;
    const recorder = exchange.step.recorder!;
    recorder.requests++;
    recorder.transportErrors++;
    this.next(vu, exchange.step);
  }

  private next(vu: VirtualUser, step: CompiledStep): void {
    vu.stepIndex++;
    if (step.pauseMs > 0) this.pause(vu, step.pauseMs);
    else this.advance(vu);
  }

  /**
   * A synchronous settle (inside `send`, e.g. a destroyed pool) continues 1 ms later instead of
   * recursing: a failure that repeats at once cannot spin the loop. Stale ones are ignored there.
   */
  private defer(fn: () => void): void {
    this.timers.after(1, fn);
  }

  private arm(purpose: 'stop' | 'grace' | 'scan' | 'progress' | 'arrival', delayMs: number, fn: () => void): void {
    this.timerHandles.get(purpose)?.();
    this.timerHandles.set(
      purpose,
      this.timers.after(delayMs, () => {
        this.timerHandles.delete(purpose);
        fn();
      }),
    );
  }

  // ---- timeouts, schedule, stop ----

  private scheduleTimeoutScan(): void {
    this.arm('scan', this.timeoutScanMs, () => {
      if (this._state !== 'running' && this._state !== 'stopping') return;
      const now = this.timers.now();
      for (const vu of this.vus) {
        const exchange = vu.exchange;
        if (exchange === null || exchange.settled) continue;
        if (now - exchange.sentAt < exchange.step.timeoutMs) continue;
        vu.exchange = null;
        exchange.abort(new RequestTimeoutError(`request timed out after ${exchange.step.timeoutMs} ms`));
        const recorder = exchange.step.recorder!;
        recorder.requests++;
        recorder.timeouts++;
        this.next(vu, exchange.step);
      }
      this.scheduleTimeoutScan();
    });
  }

  private scheduleProgress(): void {
    const interval = this.options.progressIntervalMs ?? LOADGEN_DEFAULTS.progressIntervalMs;
    this.arm('progress', interval, () => {
      if (this._state !== 'running' && this._state !== 'stopping') return;
      this.options.onProgress?.(this.snapshot());
      this.scheduleProgress();
    });
  }

  /** Starts every iteration that is due; schedules the next tick. */
  private arrivalTick(): void {
    if (this._state !== 'running') return;
    const intervalMs = 1000 / this.rate;
    const now = this.timers.now();
    while (true) {
      const intended = this.startedAt + this.nextArrival * intervalMs;
      if (intended > now || intended - this.startedAt >= this.durationMs) break;
      this.nextArrival++;
      let vu = this.idle.pop();
      if (vu === undefined && this.vus.length < this.maxVus) {
        vu = new VirtualUser(this.vus.length);
        this.vus.push(vu);
      }
      if (vu === undefined) {
        this.droppedIterations++;
        continue;
      }
      this.startIteration(vu, now - intended);
      if (this._state !== 'running') return;
    }
    const nextIntended = this.startedAt + this.nextArrival * intervalMs;
    if (nextIntended - this.startedAt < this.durationMs) {
      this.arm('arrival', nextIntended - this.timers.now(), () => this.arrivalTick());
    }
  }

  /** The duration is up: start no new iteration; in-flight ones have the graceful stop to finish. */
  private beginStop(): void {
    if (this._state !== 'running') return;
    this._state = 'stopping';
    this.timerHandles.get('arrival')?.();
    this.timerHandles.delete('arrival');
    this.idle.length = 0;
    if (this.activeVus === 0) {
      this.finish();
      return;
    }
    this.arm('grace', this.workflow.gracefulStopMs, () => {
      if (this._state !== 'stopping') return;
      this.interruptAll();
      this.finish();
    });
  }

  /** Aborts every request in flight and every pause; counts the requests as interrupted. */
  private interruptAll(): void {
    for (const vu of this.vus) {
      vu.cancelPause?.();
      vu.cancelPause = null;
      const exchange = vu.exchange;
      vu.exchange = null;
      if (exchange !== null && !exchange.settled) {
        exchange.abort(new Error('workflow run interrupted'));
        exchange.step.recorder!.interrupted++;
      }
      if (vu.active) {
        vu.active = false;
        this.activeVus--;
      }
    }
  }

  private finish(): void {
    if (this._state === 'finished') return;
    if (this._state !== 'cancelled') this._state = 'finished';
    for (const cancel of this.timerHandles.values()) cancel();
    this.timerHandles.clear();
    this.options.signal?.removeEventListener('abort', this.onAbort);
    this.endedAtWall = Math.max(this.startedAtWall, this.wallClock());
    const final = this.snapshot();
    const resolve = this.resolveDone;
    if (!this.ownsTransport) {
      resolve(final);
      return;
    }
    // Resolve once the sockets are gone, so nothing the run started outlives it.
    this.transport.destroy().then(
      () => resolve(final),
      () => resolve(final),
    );
  }
}

/** Constructs and starts a run. */
export function runWorkflow(options: WorkflowRunOptions): WorkflowRun {
  const run = new WorkflowRun(options);
  run.start();
  return run;
}
