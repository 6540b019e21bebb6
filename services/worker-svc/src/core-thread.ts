// One worker core: a long-lived thread that runs its part of a share with loadgen and posts
// cumulative statistics to the main thread. Threads are started with the worker and reused, so a
// dispatch does not pay for loading the load generator into a fresh thread (about a second).
import { parentPort } from 'node:worker_threads';
import { runWorkflow, type WorkflowRun } from '@hyperscale/loadgen';
import type { CoreCommand, CoreMessage } from './core-pool.js';

const port = parentPort;
if (port === null) throw new Error('core-thread must run as a worker thread');
const runs = new Map<number, { run: WorkflowRun; controller: AbortController }>();
const post = (message: CoreMessage) => port.postMessage(message);

port.on('message', (command: CoreCommand) => {
  if (command.type === 'cancel') {
    runs.get(command.runId)?.controller.abort();
    return;
  }
  const { runId } = command;
  const controller = new AbortController();
  try {
    const run = runWorkflow({
      workflow: command.workflow,
      signal: controller.signal,
      progressIntervalMs: command.progressIntervalMs,
      onProgress: (stats) => post({ type: 'progress', runId, stats }),
    });
    runs.set(runId, { run, controller });
    run.done.then(
      (stats) => {
        runs.delete(runId);
        post({ type: 'done', runId, stats, cancelled: controller.signal.aborted });
      },
      (error: unknown) => {
        runs.delete(runId);
        post({ type: 'failed', runId, error: error instanceof Error ? error.message : String(error) });
      },
    );
  } catch (error) {
    post({ type: 'failed', runId, error: error instanceof Error ? error.message : String(error) });
  }
});
post({ type: 'ready' });
