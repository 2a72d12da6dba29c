/*
 * A person's rights on their contact page: "Export (access request)" downloads everything held
 * about them as one JSON file; "Erase this person" erases them after a confirmation dialog that
 * says what happens. Admins only (the API refuses everyone else; the page hides what a role may
 * not call).
 */
import { html, useEffect, useRef, useState } from './lib.js';
import { api } from './api.js';
import { t } from './i18n.js';
import { formatDateTime } from './format.js';
import { ErrorNote } from './components.js';

/** Saves `document` as a JSON file through a temporary link. */
function download(document_, fileName) {
  const url = window.URL.createObjectURL(new window.Blob([JSON.stringify(document_, null, 2)], { type: 'application/json' }));
  const link = document.createElement('a');
  link.href = url;
  link.download = fileName;
  document.body.append(link);
  link.click();
  link.remove();
  setTimeout(() => window.URL.revokeObjectURL(url), 1000);
}

function EraseDialog({ contact, onCancel, onErased }) {
  const dialog = useRef(null);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState(null);
  useEffect(() => {
    dialog.current?.showModal();
  }, []);

  async function erase() {
    setBusy(true);
    setError(null);
    try {
      const result = await api(`/api/contacts/${contact.id}`, { method: 'DELETE' });
      dialog.current?.close();
      onErased(result);
    } catch (e) {
      setError(e);
      setBusy(false);
    }
  }

  const name = `${contact.firstName} ${contact.lastName}`.trim() || contact.email || contact.id;
  return html`<dialog ref=${dialog} class="confirm-dialog" aria-labelledby="erase-title" aria-describedby="erase-what" onCancel=${onCancel} data-testid="erase-dialog">
    <h2 id="erase-title">${t('privacy.eraseTitle', { name })}</h2>
    <div id="erase-what">
      <p>${t('privacy.eraseIntro')}</p>
      <ul>
        <li>${t('privacy.eraseFields')}</li>
        <li>${t('privacy.eraseMembers')}</li>
        <li>${t('privacy.eraseTasks')}</li>
        <li>${t('privacy.eraseEmail')}</li>
        <li>${t('privacy.eraseAnswers')}</li>
      </ul>
      <p><strong>${t('privacy.eraseFinal')}</strong></p>
    </div>
    <${ErrorNote} error=${error} />
    <div class="actions">
      <button type="button" onClick=${() => { dialog.current?.close(); onCancel(); }} disabled=${busy}>${t('common.cancel')}</button>
      <button type="button" class="danger" onClick=${erase} disabled=${busy} data-testid="erase-confirm">${t('privacy.eraseConfirm')}</button>
    </div>
  </dialog>`;
}

/**
 * The actions, one entry of the contact page's actions (pages/contact-detail.js CONTACT_ACTIONS):
 * given the contact as GET /api/contacts/:id has it and the page's `reload`.
 */
export function ContactPrivacyActions({ contact, reload }) {
  const [confirming, setConfirming] = useState(false);
  const [error, setError] = useState(null);
  const [erased, setErased] = useState(null);

  async function exportData() {
    setError(null);
    try {
      download(await api(`/api/contacts/${contact.id}/export`), `contact-${contact.id}.json`);
    } catch (e) {
      setError(e);
    }
  }

  const erasedAt = erased?.erasedAt ?? contact.erasedAt;
  return html`<div class="contact-privacy" data-testid="contact-privacy">
    ${erasedAt ? html`<p role="status" data-testid="erased-note">${t('privacy.erasedOn', { at: formatDateTime(erasedAt) })}</p>` : null}
    <button type="button" onClick=${exportData} data-testid="export-contact">${t('privacy.export')}</button>
    ${erasedAt ? null : html`<button type="button" class="danger" onClick=${() => setConfirming(true)} data-testid="erase-contact">${t('privacy.erase')}</button>`}
    <${ErrorNote} error=${error} />
    ${confirming
      ? html`<${EraseDialog}
          contact=${contact}
          onCancel=${() => setConfirming(false)}
          onErased=${(result) => {
            setConfirming(false);
            setErased(result);
            reload?.();
          }}
        />`
      : null}
  </div>`;
}
