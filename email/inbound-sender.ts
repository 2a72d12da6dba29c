import { Resend } from 'resend';

/*
 * Anyone can write any From: line. An inbound "unsubscribe" mail opts a contact out only when
 * the receiving side (Resend's MX) authenticated the From domain and said so in the message's
 * Authentication-Results header (RFC 8601): DMARC passed for that domain, or a DKIM signature of
 * that domain verified. SPF alone is not enough (it vouches for the envelope sender, not From).
 * The webhook carries no headers, so they are read through Resend's Received emails API.
 */

export type SenderCheck = { verified: true } | { verified: false; reason: string };

const domainOf = (address: string) => address.slice(address.lastIndexOf('@') + 1).toLowerCase();

/**
 * DMARC reports the From domain itself. A DKIM signature may be a parent domain's (relaxed
 * alignment): only whoever publishes that parent's DNS keys can make it pass.
 */
function aligned(method: string, senderDomain: string, domain: string): boolean {
  const d = domain.replace(/^.*@/, '').toLowerCase();
  if (!d) return false;
  return senderDomain === d || (method === 'dkim' && d.includes('.') && senderDomain.endsWith(`.${d}`));
}

/** Whether an Authentication-Results header vouches for `fromAddress`'s domain. */
export function senderAuthenticated(authenticationResults: string | undefined, fromAddress: string): SenderCheck {
  if (!authenticationResults) return { verified: false, reason: 'no Authentication-Results header' };
  const senderDomain = domainOf(fromAddress);
  if (!senderDomain) return { verified: false, reason: 'no sender domain' };
  for (const clause of authenticationResults.split(';')) {
    const result = /^\s*(dmarc|dkim)\s*=\s*([a-z]+)\b(.*)$/is.exec(clause);
    if (!result || result[2]!.toLowerCase() !== 'pass') continue;
    const method = result[1]!.toLowerCase();
    const wanted = method === 'dmarc' ? ['from'] : ['d', 'i'];
    for (const property of result[3]!.matchAll(/header\.([a-z]+)\s*=\s*"?([^\s;"]+)/gi)) {
      if (wanted.includes(property[1]!.toLowerCase()) && aligned(method, senderDomain, property[2]!)) return { verified: true };
    }
  }
  return { verified: false, reason: 'neither DMARC nor an aligned DKIM signature passed' };
}

/** The header of a received email, by name, as Resend's Received emails API returns it. */
export type ReceivedHeaderReader = (emailId: string, header: string) => Promise<string | undefined>;

export function resendReceivedHeaders(options: { apiKey: string; baseUrl?: string }): ReceivedHeaderReader {
  const resend = new Resend(options.apiKey, options.baseUrl ? { baseUrl: options.baseUrl.replace(/\/+$/, '') } : undefined);
  return async (emailId, header) => {
    const { data, error } = await resend.emails.receiving.get(emailId);
    if (error || !data) throw new Error(`Resend could not return received email ${emailId}: ${error?.message ?? 'no data'}`);
    const wanted = header.toLowerCase();
    const found = Object.entries(data.headers ?? {}).find(([name]) => name.toLowerCase() === wanted);
    return found?.[1];
  };
}
