// WorkerService handlers: validate what a manager sends, then hand it to the executor.
import { JobSpecError } from '@hyperscale/loadgen';
import { type HandlersOf, invalidArgument, type WorkerService } from '@hyperscale/protocol';
import { specErrorToStatus, workflowSpecFromProto } from '@hyperscale/wire';
import type { WorkflowExecutor } from './workflow-executor.js';

export function workerHandlers(executor: WorkflowExecutor): HandlersOf<typeof WorkerService> {
  return {
    async dispatchWorkflow(request) {
      if (request.jobId === '') throw invalidArgument('job_id', 'is required');
      if (request.workflowId === '') throw invalidArgument('workflow_id', 'is required');
      if (request.cores < 1) throw invalidArgument('cores', 'must be at least 1');
      if (request.fenceToken <= 0n) throw invalidArgument('fence_token', 'must be greater than 0');
      if (request.managerId === '') throw invalidArgument('manager_id', 'is required');
      if (request.managerAddress === '') throw invalidArgument('manager_address', 'is required');
      let workflow: ReturnType<typeof workflowSpecFromProto>;
      try {
        workflow = workflowSpecFromProto(request.workflow);
      } catch (error) {
        if (error instanceof JobSpecError) throw specErrorToStatus(error, 'workflow');
        throw error;
      }
      const decision = executor.dispatch({
        jobId: request.jobId,
        workflowId: request.workflowId,
        workflowName: request.workflowName,
        workflow,
        cores: request.cores,
        fenceToken: request.fenceToken,
        managerId: request.managerId,
        managerAddress: request.managerAddress,
      });
      return decision.accepted
        ? { accepted: true, coresAssigned: decision.coresAssigned }
        : { accepted: false, error: decision.error };
    },
    async cancelWorkflow(request) {
      if (request.workflowId === '') throw invalidArgument('workflow_id', 'is required');
      return { outcome: executor.cancel(request.workflowId, request.fenceToken) };
    },
  };
}
