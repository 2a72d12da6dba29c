// Starting campaign workflows from outside (API, scripts): idempotent by workflow id.
export { startMemberWorkflow, startCampaignLaunch, type StartMemberOptions, type StartedMember } from './start-member';
export { rejectMember, reincludeMember, type CommandOutcome } from './member-commands';
export { pauseCampaign, resumeCampaign, closeCampaign, closeCampaignsOfSurvey, type LifecycleResult } from './lifecycle';
export { addMembers, MemberInputError, type AddMembersResult, type MemberInput } from './add-members';
