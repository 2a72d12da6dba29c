import type { EmailMessage } from '../email';

/** The sign-in email, in Dutch and English (an employee has no language of their own yet). */
export function signInEmail(input: { linkId: string; to: string; url: string }): EmailMessage {
  const text = [
    'Aanmelden bij npsflow / Sign in to npsflow',
    '',
    `Open deze link binnen 15 minuten om je aan te melden. Hij werkt één keer.`,
    `Open this link within 15 minutes to sign in. It works once.`,
    '',
    input.url,
    '',
    'Niet aangevraagd? Negeer dit bericht. / Did not ask for it? Ignore this message.',
  ].join('\n');
  const html = `<!doctype html><html><body style="font-family:sans-serif">
<h1 style="font-size:20px">Aanmelden bij npsflow / Sign in to npsflow</h1>
<p>Open deze link binnen 15 minuten om je aan te melden. Hij werkt één keer.<br>Open this link within 15 minutes to sign in. It works once.</p>
<p><a href="${input.url}">Aanmelden / Sign in</a></p>
<p style="color:#555">Niet aangevraagd? Negeer dit bericht. / Did not ask for it? Ignore this message.</p>
</body></html>`;
  return {
    idempotencyKey: `sign-in-link:${input.linkId}`,
    kind: 'sign_in_link',
    to: input.to,
    subject: 'Aanmelden bij npsflow / Sign in to npsflow',
    html,
    text,
  };
}
