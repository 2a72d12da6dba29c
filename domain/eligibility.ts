import type { IneligibleStatus, MemberStatus } from './member-status';

const DAY_MS = 24 * 60 * 60 * 1000;

/**
 * What the "Is Sendable" checks look at. Timestamps are ISO strings so the facts travel through
 * activity results and workflow history unchanged.
 */
export interface SendabilityFacts {
  /**
   * Whether the contact has an address. Activities give this, never the address itself (workflow
   * histories hold ids, not people); histories recorded before carry `email` instead.
   */
  hasEmail?: boolean;
  email?: string | null;
  /** The person's data was erased (privacy/erasure.ts); absent in older histories. */
  erased?: boolean;
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
 * The sendability checks of the NPS process, in its order. Returns the member status
 * explaining why the contact must not be sent a survey, or null when it may.
 */
export function checkSendability(contact: SendabilityFacts, rules: SendabilityRules): IneligibleStatus | null {
  if (contact.optedOut) return 'NPS_Opt_Out';
  if (withinNoSendRule(contact.lastSurveyCompletedAt, rules)) return 'NPS_No_Send_Rule';
  if (contact.outOfScope) return 'Out_Of_NPS_Scope';
  if (contact.inactive) return 'Inactive_Contact';
  if (contact.emailBouncedAt) return 'Email_Bounced';
  if (!hasAddress(contact)) return 'No_Email';
  return null;
}

/** An address that is not blank: the rule behind `hasEmail`, and what older histories' `email` is judged by. */
export function hasAddress(contact: Pick<SendabilityFacts, 'hasEmail' | 'email'>): boolean {
  return contact.hasEmail ?? (typeof contact.email === 'string' && contact.email.trim() !== '');
}

function withinNoSendRule(lastCompletedAt: string | null, rules: SendabilityRules): boolean {
  if (!lastCompletedAt || rules.noSendRuleDays <= 0) return false;
  const completed = Date.parse(lastCompletedAt);
  if (Number.isNaN(completed)) return false;
  return rules.now - completed < rules.noSendRuleDays * DAY_MS;
}

/** What the one check before every email looks at, read afresh from PostgreSQL. */
export interface MailingFacts {
  contact: SendabilityFacts;
  campaignStatus: 'draft' | 'launching' | 'active' | 'paused' | 'closed';
  surveyStatus: 'draft' | 'active' | 'closed' | 'archived';
  /** The member's invitation, once it has one. */
  invitationStatus?: 'not_started' | 'started' | 'completed' | 'invalid' | 'expired' | 'bounced' | 'closed' | null;
}

/**
 * May this member be mailed now? `end`: never again, with this status. `hold`: not now — the
 * campaign is paused, or the link was just answered (its signal is on its way).
 */
export type MailingVerdict = { send: true } | { send: false; hold: 'paused' | 'answered' } | { send: false; end: MemberStatus };

/**
 * The one check before every email: person not erased, invitation open, survey active, campaign
 * running, contact sendable — in that order, so a closed campaign reads as closed whatever its contacts did.
 */
export function checkMailing(facts: MailingFacts, rules: SendabilityRules): MailingVerdict {
  // An erased person is never mailed again, whatever else holds.
  if (facts.contact.erased) return { send: false, end: 'Erased' };
  if (facts.campaignStatus === 'closed' || facts.surveyStatus === 'closed' || facts.surveyStatus === 'archived') {
    return { send: false, end: 'Campaign_Closed' };
  }
  const invitation = facts.invitationStatus;
  if (invitation === 'invalid' || invitation === 'closed') return { send: false, end: 'Survey_Invalid' };
  if (invitation === 'completed') return { send: false, hold: 'answered' };
  if (facts.campaignStatus === 'paused') return { send: false, hold: 'paused' };
  const unsendable = checkSendability(facts.contact, rules);
  return unsendable ? { send: false, end: unsendable } : { send: true };
}
