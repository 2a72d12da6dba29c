/**
 * Where a campaign member stands: the NPS process's own statuses, plus Expired, No_Email and three
 * endings of npsflow's: Campaign_Closed (the campaign was closed before the member answered),
 * Undeliverable (its email could not be handed to the provider, or the provider refused it for
 * good) and Erased (its contact's personal data was erased). The `member_status` enum in
 * db/schema.ts is built from this list; a unit test checks the committed migrations create the
 * same values. Append only: PostgreSQL enums keep their order.
 */
export const MEMBER_STATUSES = [
  'New',
  'Awaiting_Send',
  'Survey_Not_Started',
  'Survey_Started',
  'Survey_Completed',
  'Survey_Invalid',
  'Email_Bounced',
  'Expired',
  'Rejected',
  'NPS_Opt_Out',
  'NPS_No_Send_Rule',
  'Out_Of_NPS_Scope',
  'Inactive_Contact',
  'No_Email',
  'Campaign_Closed',
  'Undeliverable',
  'Erased',
] as const;

export type MemberStatus = (typeof MEMBER_STATUSES)[number];

/** The statuses the "Is Sendable" checks can give a member instead of an invitation. */
export const INELIGIBLE_STATUSES = [
  'NPS_Opt_Out',
  'NPS_No_Send_Rule',
  'Out_Of_NPS_Scope',
  'Inactive_Contact',
  'Email_Bounced',
  'No_Email',
] as const satisfies readonly MemberStatus[];

export type IneligibleStatus = (typeof INELIGIBLE_STATUSES)[number];

/** Statuses after which nothing more happens to the member (its workflow has ended). */
export const TERMINAL_STATUSES: ReadonlySet<MemberStatus> = new Set<MemberStatus>([
  'Survey_Completed',
  'Survey_Invalid',
  'Expired',
  'Rejected',
  'Campaign_Closed',
  'Undeliverable',
  'Erased',
  ...INELIGIBLE_STATUSES,
]);

/**
 * Statuses of a member that has not finished: with its workflow started, that workflow is running
 * and may still send mail or take an answer.
 */
export const UNFINISHED_STATUSES: readonly MemberStatus[] = MEMBER_STATUSES.filter((status) => !TERMINAL_STATUSES.has(status));

export function isTerminalStatus(status: MemberStatus): boolean {
  return TERMINAL_STATUSES.has(status);
}
