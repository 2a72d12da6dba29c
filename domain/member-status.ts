/**
 * Where a campaign member stands (second seed, section 9), plus Expired and No_Email. The
 * `member_status` enum in db/schema.ts is built from this list; a unit test checks the committed
 * migrations create the same values.
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
  ...INELIGIBLE_STATUSES,
]);

export function isTerminalStatus(status: MemberStatus): boolean {
  return TERMINAL_STATUSES.has(status);
}

export function isMemberStatus(value: unknown): value is MemberStatus {
  return typeof value === 'string' && (MEMBER_STATUSES as readonly string[]).includes(value);
}
