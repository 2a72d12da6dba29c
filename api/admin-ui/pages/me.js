/* The signed-in person's own page: who they are and what their role lets them do. */
import { html } from '../lib.js';
import { t } from '../i18n.js';
import { identity } from '../identity.js';
import { PageHeader } from '../components.js';

export function Me() {
  const me = identity();
  return html`
    <${PageHeader} title=${t('me.title')} />
    <section class="card" data-testid="me">
      <dl class="facts">
        <dt>${t('me.name')}</dt>
        <dd>${me.name}</dd>
        <dt>${t('me.role')}</dt>
        <dd><span class="badge">${t(`role.${me.role}`)}</span></dd>
        <dt>${t('me.signedInWith')}</dt>
        <dd>${t(me.kind === 'session' ? 'me.viaSession' : 'me.viaKey')}</dd>
      </dl>
      <p>${t(`role.explain.${me.role}`)}</p>
      ${me.role === 'employee' ? html`<p class="muted">${t('me.tasksComing')}</p>` : null}
    </section>
  `;
}
