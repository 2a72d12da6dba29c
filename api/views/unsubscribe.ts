import { html, type Html } from './html';
import { layout } from './layout';

/*
 * The unsubscribe pages: a confirm page (GET never unsubscribes, so a link scanner that follows
 * every URL in a message changes nothing), and the page after the confirm button was pressed.
 */

interface UnsubscribeStrings {
  confirmTitle: string;
  confirmBody: string;
  confirmButton: string;
  doneTitle: string;
  doneBody: string;
  alreadyBody: string;
  unknownTitle: string;
  unknownBody: string;
}

const STRINGS: Record<'nl' | 'en', UnsubscribeStrings> = {
  nl: {
    confirmTitle: 'Afmelden voor enquêtes',
    confirmBody: 'Wilt u geen uitnodigingen en herinneringen voor onze klanttevredenheidsonderzoeken meer ontvangen?',
    confirmButton: 'Ja, meld mij af',
    doneTitle: 'U bent afgemeld',
    doneBody: 'U ontvangt geen uitnodigingen of herinneringen voor onze enquêtes meer.',
    alreadyBody: 'U was al afgemeld. U ontvangt geen uitnodigingen of herinneringen voor onze enquêtes meer.',
    unknownTitle: 'Deze link werkt niet',
    unknownBody: 'Wij kunnen deze afmeldlink niet vinden. Controleer of u de volledige link uit de e-mail hebt gebruikt.',
  },
  en: {
    confirmTitle: 'Unsubscribe from surveys',
    confirmBody: 'Do you no longer want to receive invitations and reminders for our customer satisfaction surveys?',
    confirmButton: 'Yes, unsubscribe me',
    doneTitle: 'You are unsubscribed',
    doneBody: 'You will not receive invitations or reminders for our surveys any more.',
    alreadyBody: 'You were already unsubscribed. You will not receive invitations or reminders for our surveys any more.',
    unknownTitle: 'This link does not work',
    unknownBody: 'We cannot find this unsubscribe link. Please check that you used the complete link from the email.',
  },
};

export const unsubscribeStrings = (language: string): UnsubscribeStrings => (language === 'nl' ? STRINGS.nl : STRINGS.en);

function message(language: string, title: string, body: string): Html {
  return layout({ language, title, body: html`<div class="message"><h1>${title}</h1><p>${body}</p></div>` });
}

/** The confirm page: one button that posts back to the same URL. */
export function renderUnsubscribeConfirm(language: string, action: string): Html {
  const s = unsubscribeStrings(language);
  return layout({
    language,
    title: s.confirmTitle,
    body: html`<h1>${s.confirmTitle}</h1>
<p>${s.confirmBody}</p>
<form method="post" action="${action}">
<input type="hidden" name="List-Unsubscribe" value="One-Click">
<div class="actions"><button type="submit" class="primary">${s.confirmButton}</button></div>
</form>`,
  });
}

export function renderUnsubscribed(language: string, already: boolean): Html {
  const s = unsubscribeStrings(language);
  return message(language, s.doneTitle, already ? s.alreadyBody : s.doneBody);
}

export function renderUnknownLink(language: string): Html {
  const s = unsubscribeStrings(language);
  return message(language, s.unknownTitle, s.unknownBody);
}
