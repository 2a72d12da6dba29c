/* The admin shell: sign-in, navigation, language switch and the page for the current route. */
import { html, render, useEffect, useState } from './lib.js';
import { api, session, whenUnauthorized, ApiError } from './api.js';
import { LANGUAGES, currentLanguage, setLanguage, t } from './i18n.js';
import { useRoute, navigate } from './router.js';
import { Dashboard } from './pages/dashboard.js';
import { SurveyList } from './pages/surveys.js';
import { SurveyEditor } from './pages/survey-editor.js';
import { CampaignList } from './pages/campaigns.js';
import { CampaignDetail } from './pages/campaign-detail.js';
import { ClientList, ClientDetail } from './pages/clients.js';
import { OutboxList, OutboxDetail } from './pages/outbox.js';

const NAV = [
  ['dashboard', 'nav.dashboard'],
  ['surveys', 'nav.surveys'],
  ['campaigns', 'nav.campaigns'],
  ['clients', 'nav.clients'],
  ['outbox', 'nav.outbox'],
];

function LanguageSwitch({ onChange }) {
  return html`<div class="language-switch" role="group" aria-label=${t('common.language')}>
    ${LANGUAGES.map(
      (code) => html`<button
        key=${code}
        type="button"
        class=${code === currentLanguage() ? 'active' : ''}
        aria-pressed=${code === currentLanguage() ? 'true' : 'false'}
        lang=${code}
        onClick=${() => onChange(code)}
      >
        ${code === 'nl' ? 'Nederlands' : 'English'}
      </button>`,
    )}
  </div>`;
}

function SignIn({ onSignedIn, onLanguage, expired }) {
  const [key, setKey] = useState('');
  const [error, setError] = useState(expired ? t('signIn.expired') : '');
  const [busy, setBusy] = useState(false);

  async function submit(event) {
    event.preventDefault();
    const candidate = key.trim();
    if (!candidate) {
      setError(t('signIn.empty'));
      return;
    }
    setBusy(true);
    setError('');
    try {
      // Any admin call tells whether the key is good; the settings are the cheapest.
      await api('/api/analytics/settings', { key: candidate });
      session.signIn(candidate);
      onSignedIn();
    } catch (e) {
      setError(e instanceof ApiError && e.status === 401 ? t('signIn.rejected') : t('error.network'));
    } finally {
      setBusy(false);
    }
  }

  return html`<main class="sign-in">
    <form class="card sign-in-card" onSubmit=${submit} novalidate>
      <div class="brand large"><img src="/admin/favicon.svg" alt="" width="32" height="32" />npsflow</div>
      <h1>${t('signIn.title')}</h1>
      <p class="muted">${t('signIn.intro')}</p>
      <label class="field">
        <span class="field-label">${t('signIn.key')}</span>
        <input
          type="password"
          name="apiKey"
          autocomplete="off"
          spellcheck="false"
          value=${key}
          onInput=${(e) => setKey(e.currentTarget.value)}
          aria-invalid=${error ? 'true' : 'false'}
          aria-describedby="sign-in-error"
        />
      </label>
      <p id="sign-in-error" class="form-error" role="alert">${error}</p>
      <button type="submit" class="primary" disabled=${busy}>${t('signIn.submit')}</button>
      <${LanguageSwitch} onChange=${onLanguage} />
    </form>
  </main>`;
}

function Page({ route }) {
  const [section, id, sub] = route.segments;
  switch (section) {
    case undefined:
    case 'dashboard':
      return html`<${Dashboard} query=${route.query} />`;
    case 'surveys':
      return id ? html`<${SurveyEditor} id=${id === 'new' ? null : id} key=${id} />` : html`<${SurveyList} />`;
    case 'campaigns':
      return id ? html`<${CampaignDetail} id=${id} key=${id} />` : html`<${CampaignList} />`;
    case 'clients':
      return id ? html`<${ClientDetail} id=${id} key=${id} query=${route.query} />` : html`<${ClientList} query=${route.query} />`;
    case 'outbox':
      return id ? html`<${OutboxDetail} id=${id} key=${id} />` : html`<${OutboxList} query=${route.query} />`;
    default:
      return html`<p>${t('common.notFound')} <a href="#/dashboard">${t('nav.dashboard')}</a></p>${sub ?? ''}`;
  }
}

function App() {
  const route = useRoute();
  const [signedIn, setSignedIn] = useState(Boolean(session.key()));
  const [expired, setExpired] = useState(false);
  const [, setLanguageState] = useState(currentLanguage());

  useEffect(() => {
    whenUnauthorized(() => {
      setExpired(true);
      setSignedIn(false);
    });
  }, []);

  useEffect(() => {
    const section = route.segments[0] ?? 'dashboard';
    document.title = `${t(`nav.${section}`)} · npsflow`;
  }, [route.path, signedIn]);

  const changeLanguage = (code) => {
    setLanguage(code);
    setLanguageState(code);
  };

  if (!signedIn) {
    return html`<${SignIn}
      expired=${expired}
      onLanguage=${changeLanguage}
      onSignedIn=${() => {
        setExpired(false);
        setSignedIn(true);
      }}
    />`;
  }

  const section = route.segments[0] ?? 'dashboard';
  return html`<div class="shell" key=${currentLanguage()}>
    <nav class="sidebar" aria-label=${t('nav.label')}>
      <div class="brand"><img src="/admin/favicon.svg" alt="" width="26" height="26" />npsflow</div>
      <ul>
        ${NAV.map(
          ([name, label]) => html`<li key=${name}>
            <a href=${`#/${name}`} class=${section === name ? 'current' : ''} aria-current=${section === name ? 'page' : undefined}>${t(label)}</a>
          </li>`,
        )}
      </ul>
      <div class="sidebar-foot">
        <${LanguageSwitch} onChange=${changeLanguage} />
        <button
          type="button"
          class="link"
          onClick=${() => {
            session.signOut();
            setExpired(false);
            setSignedIn(false);
            navigate('/dashboard');
          }}
        >
          ${t('signIn.signOut')}
        </button>
      </div>
    </nav>
    <main class="content" id="content">
      <${Page} route=${route} />
    </main>
  </div>`;
}

render(html`<${App} />`, document.getElementById('root'));
