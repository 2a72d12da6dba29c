// Every workflow the worker runs (its workflowsPath). Workflow code is deterministic: it imports
// only workflows/ and pure domain/ modules, and activities as types through proxyActivities.
export { campaignMember } from './campaign-member';
export { campaignLaunch } from './campaign-launch';
export { followUpTask } from './follow-up-task';
export { memberOperation } from './member-operation';
export { retention } from './retention';
