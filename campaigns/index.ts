export { startMemberWorkflow, startCampaignLaunch, type StartMemberOptions, type StartedMember } from './start-member';
