import type { IneligibleStatus } from './member-status';

const DAY_MS = 24 * 60 * 60 * 1000;

/**
 * What the "Is Sendable" checks look at. Timestamps are ISO strings so the facts travel through
 * activity results and workflow history unchanged.
 */
export interface SendabilityFacts {
  email: string | null;
  optedOut: boolean;
  outOfScope: boolean;
  inactive: boolean;
  emailBouncedAt: string | null;
  lastSurveyCompletedAt: string | null;
}

export interface SendabilityRules {
  /** A contact who completed a survey less than this many days ago is not asked again; 0 turns the rule off. */
  noSendRuleDays: number;
  /** The moment of the check, epoch milliseconds (workflow time inside workflows). */
  now: number;
}

/**
 * The second seed's sendability checks (section 6.6), in its order. Returns the member status
 * explaining why the contact must not be sent a survey, or null when it may.
 */
export function checkSendability(contact: SendabilityFacts, rules: SendabilityRules): IneligibleStatus | null {
  if (contact.optedOut) return 'NPS_Opt_Out';
  if (withinNoSendRule(contact.lastSurveyCompletedAt, rules)) return 'NPS_No_Send_Rule';
  if (contact.outOfScope) return 'Out_Of_NPS_Scope';
  if (contact.inactive) return 'Inactive_Contact';
  if (contact.emailBouncedAt) return 'Email_Bounced';
  if (!contact.email || contact.email.trim() === '') return 'No_Email';
  return null;
}

function withinNoSendRule(lastCompletedAt: string | null, rules: SendabilityRules): boolean {
  if (!lastCompletedAt || rules.noSendRuleDays <= 0) return false;
  const completed = Date.parse(lastCompletedAt);
  if (Number.isNaN(completed)) return false;
  return rules.now - completed < rules.noSendRuleDays * DAY_MS;
}
