export {
  JobBroadcast,
  type JobInfoInit,
  type JobProgressInit,
  type JobResultInit,
  type JobUpdateInit,
} from './job-broadcast.js';
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
export { UpdateFeed } from './update-feed.js';
