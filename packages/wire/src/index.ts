export {
  jobSpecFromProto,
  jobSpecToProto,
  specErrorToStatus,
  workflowSpecFromProto,
  workflowSpecToProto,
} from './spec.js';
export { StatsDecodeError, statsFromProto, statsToProto } from './stats.js';
export {
  isTerminalJobStatus,
  jobStatusName,
  jobStatusOf,
  outcomeOf,
  resultKindOf,
  workflowStatusName,
} from './status.js';
