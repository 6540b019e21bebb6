// One worker core: a thread that runs its part of a share with loadgen and posts cumulative
// statistics to the main thread. Threads give a share real parallelism across cores.
import { parentPort, workerData } from 'node:worker_threads';
import { runWorkflow, type WorkflowSpec } from '@hyperscale/loadgen';
import type { CoreMessage } from './share-run.js';

interface CoreTask {
  workflow: WorkflowSpec;
  progressIntervalMs: number;
}

const port = parentPort;
if (port === null) throw new Error('core-thread must run as a worker thread');
const task = workerData as CoreTask;
const controller = new AbortController();
port.on('message', (message: { type: string }) => {
  if (message.type === 'cancel') controller.abort();
});
const post = (message: CoreMessage) => port.postMessage(message);
const run = runWorkflow({
  workflow: task.workflow,
  signal: controller.signal,
  progressIntervalMs: task.progressIntervalMs,
  onProgress: (stats) => post({ type: 'progress', stats }),
});
run.done.then(
  (stats) => {
    post({ type: 'done', stats, cancelled: controller.signal.aborted });
    port.close();
  },
  (error: unknown) => {
    post({ type: 'failed', error: error instanceof Error ? error.message : String(error) });
    port.close();
  },
);
