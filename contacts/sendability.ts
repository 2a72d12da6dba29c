import type { tables } from '../db';
import { checkMailing, hasAddress, type MailingFacts, type MailingVerdict, type SendabilityFacts } from '../domain/eligibility';

/** The contact columns the one check reads (callers select just these). */
export type SendabilityColumns = Pick<
  typeof tables.contacts.$inferSelect,
  'email' | 'erasedAt' | 'optedOut' | 'outOfScope' | 'inactive' | 'emailBouncedAt' | 'lastSurveyCompletedAt'
>;

/**
 * What the sendability rules read of a contact row; ISO strings, as they travel through history.
 * Whether there is an address, not the address: workflow histories hold ids, not people.
 */
export function sendabilityFacts(contact: SendabilityColumns): SendabilityFacts {
  return {
    hasEmail: hasAddress({ email: contact.email }),
    erased: contact.erasedAt !== null,
    optedOut: contact.optedOut,
    outOfScope: contact.outOfScope,
    inactive: contact.inactive,
    emailBouncedAt: contact.emailBouncedAt?.toISOString() ?? null,
    lastSurveyCompletedAt: contact.lastSurveyCompletedAt?.toISOString() ?? null,
  };
}

/**
 * The one check at the moment a survey email is queued or sent, on rows as PostgreSQL has them
 * now. The no-send rule is left out: it is the member workflow's to weigh before it invites (an
 * invited member keeps its link and its reminders).
 */
export function checkMailingNow(rows: Omit<MailingFacts, 'contact'> & { contact: SendabilityColumns }): MailingVerdict {
  return checkMailing({ ...rows, contact: sendabilityFacts(rows.contact) }, { noSendRuleDays: 0, now: Date.now() });
}
