/*
 * What the big mailbox providers require of bulk senders on every survey email: a one-click
 * unsubscribe (RFC 8058: an https URL in List-Unsubscribe plus List-Unsubscribe-Post) with a
 * mailto alternative (RFC 2369), and a List-Id (RFC 2919) so filters can tell campaigns apart.
 */

export interface SurveyHeaderInput {
  /** The contact's one-click unsubscribe URL (https; POST unsubscribes, GET shows a page). */
  unsubscribeUrl: string;
  /** Mailbox whose inbound handler opts out senders of an "unsubscribe" subject. */
  unsubscribeAddress: string;
  campaignId: string;
  campaignName: string;
  /** Host the List-Id lives under (the public site's host). */
  listDomain: string;
}

/** A List-Id phrase may not contain what would end or break its header. */
const phrase = (value: string) => value.replace(/["\\\r\n<>]/g, '').slice(0, 100);

export function surveyEmailHeaders(input: SurveyHeaderInput): Record<string, string> {
  const mailto = `mailto:${input.unsubscribeAddress}?subject=unsubscribe`;
  return {
    'List-Unsubscribe': `<${input.unsubscribeUrl}>, <${mailto}>`,
    'List-Unsubscribe-Post': 'List-Unsubscribe=One-Click',
    'List-Id': `"${phrase(input.campaignName)}" <campaign-${input.campaignId}.${input.listDomain}>`,
  };
}

/** The bare address of a "Name <address>" sender. */
export function addressOf(mailbox: string): string {
  return (/<([^>]+)>/.exec(mailbox)?.[1] ?? mailbox).trim();
}
