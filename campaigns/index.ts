// Starting campaign workflows from outside (API, scripts): idempotent by workflow id.
export { startMemberWorkflow, startCampaignLaunch, type StartMemberOptions, type StartedMember } from './start-member';
export { reincludeMember } from './reinclude-member';
export { readLaunchProgress, type CampaignLaunchProgress } from './launch-progress';
