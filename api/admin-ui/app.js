/* The admin shell: sign-in, navigation, language switch and the page for the current route. */
import { html, render, useEffect, useLoad, useState } from './lib.js';
import { api, session, whenUnauthorized, ApiError } from './api.js';
import { LANGUAGES, currentLanguage, setLanguage, t } from './i18n.js';
import { useRoute, navigate } from './router.js';
import { Dashboard } from './pages/dashboard.js';
import { SurveyList } from './pages/surveys.js';
import { SurveyEditor } from './pages/survey-editor.js';
import { CampaignList } from './pages/campaigns.js';
import { CampaignDetail } from './pages/campaign-detail.js';
import { MemberDetail } from './pages/member-detail.js';
import { ClientList, ClientDetail } from './pages/clients.js';
import { OutboxList, OutboxDetail } from './pages/outbox.js';
import { ResponseList, ResponseDetail } from './pages/responses.js';
import { ApiKeys } from './pages/api-keys.js';
import { EmployeeDetail, Employees } from './pages/employees.js';
import { ContactList } from './pages/contacts.js';
import { ContactDetail } from './pages/contact-detail.js';
import { Audit } from './pages/audit.js';
import { Me } from './pages/me.js';
import { TaskDetail, TaskList } from './pages/tasks.js';
import { NewActionPlan } from './pages/action-plan.js';
import { can, landing, setIdentity } from './identity.js';

const NAV = [
  ['tasks', 'nav.tasks'],
  ['dashboard', 'nav.dashboard'],
  ['surveys', 'nav.surveys'],
  ['campaigns', 'nav.campaigns'],
  ['clients', 'nav.clients'],
  ['contacts', 'nav.contacts'],
  ['responses', 'nav.responses'],
  ['outbox', 'nav.outbox'],
  ['employees', 'nav.employees'],
  ['api-keys', 'nav.api-keys'],
  ['audit', 'nav.audit'],
  ['me', 'nav.me'],
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

/** Asks for a one-time sign-in link by email; the answer is the same whether or not the address is known. */
function EmailLinkForm({ config }) {
  const [email, setEmail] = useState('');
  const [state, setState] = useState({ status: 'idle' });

  async function submit(event) {
    event.preventDefault();
    if (!email.trim()) {
      setState({ status: 'error', message: t('signIn.emailEmpty') });
      return;
    }
    setState({ status: 'busy' });
    try {
      const answer = await api('/api/auth/email-link', { method: 'POST', body: { email: email.trim() }, key: '' });
      setState({ status: 'sent', link: answer.link });
    } catch (e) {
      const message = e instanceof ApiError && e.status === 429 ? t('signIn.tooMany') : e instanceof ApiError && e.status === 400 ? t('signIn.emailInvalid') : t('error.network');
      setState({ status: 'error', message });
    }
  }

  return html`<form onSubmit=${submit} novalidate data-testid="email-link-form">
    <label class="field">
      <span class="field-label">${t('signIn.email')}</span>
      <input
        type="email"
        name="email"
        autocomplete="username"
        value=${email}
        onInput=${(e) => setEmail(e.currentTarget.value)}
        aria-invalid=${state.status === 'error' ? 'true' : 'false'}
        aria-describedby="email-link-status"
      />
    </label>
    <div id="email-link-status" role="status" aria-live="polite">
      ${state.status === 'sent' ? html`<p class="notice">${t('signIn.linkSent')}</p>` : null}
      ${state.status === 'error' ? html`<p class="form-error">${state.message}</p>` : null}
      ${state.link && config.linkShownOnPage
        ? html`<p class="notice dev-link">${t('signIn.devLink')} <a href=${state.link} data-testid="dev-link">${t('signIn.openLink')}</a></p>`
        : null}
    </div>
    <button type="submit" class="primary" disabled=${state.status === 'busy'}>${t('signIn.sendLink')}</button>
  </form>`;
}

/** Signing in with a pasted API key (machine clients' keys, or the key `npm start` prints). */
function KeyForm({ onSignedIn, expired }) {
  const [key, setKey] = useState('');
  const [error, setError] = useState(expired === 'key' ? t('signIn.expired') : '');
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
      const me = await api('/api/auth/me', { key: candidate });
      session.signIn(candidate);
      onSignedIn(me);
    } catch (e) {
      setError(e instanceof ApiError && (e.status === 401 || e.status === 429) ? t('signIn.rejected') : t('error.network'));
    } finally {
      setBusy(false);
    }
  }

  return html`<form onSubmit=${submit} novalidate data-testid="key-form">
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
  </form>`;
}

function SignIn({ onSignedIn, onLanguage, expired, problem }) {
  const config = useLoad(() => api('/api/auth/config', { key: '' }), []);
  return html`<main class="sign-in">
    <div class="card sign-in-card">
      <div class="brand large"><img src="/admin/favicon.svg" alt="" width="32" height="32" />npsflow</div>
      <h1>${t('signIn.title')}</h1>
      ${problem ? html`<p class="error-note" role="alert">${problem}</p>` : null}
      ${expired === 'session' ? html`<p class="error-note" role="alert">${t('signIn.sessionEnded')}</p>` : null}
      <p class="muted">${t('signIn.introPerson')}</p>
      <${EmailLinkForm} config=${config.data ?? {}} />
      ${config.data?.oidc
        ? html`<a class="button sso" href="/auth/oidc/start" data-testid="oidc-sign-in">${t('signIn.oidc')}</a>`
        : null}
      <h2 class="sign-in-divider">${t('signIn.withKey')}</h2>
      <p class="muted">${t('signIn.intro')}</p>
      <${KeyForm} onSignedIn=${onSignedIn} expired=${expired} />
      <${LanguageSwitch} onChange=${onLanguage} />
    </div>
  </main>`;
}

/** The page a sign-in link opens: uses the link once, then forgets it (not even history keeps it). */
function LinkSignIn({ token, onSignedIn, onFailed }) {
  useEffect(() => {
    history.replaceState(null, '', '#/sign-in');
    api('/api/auth/email-link/sign-in', { method: 'POST', body: { token }, key: '' }).then(
      (me) => {
        session.signOut();
        onSignedIn(me);
      },
      (e) => onFailed(e instanceof ApiError && e.status === 401 ? t('signIn.linkInvalid') : t('error.network')),
    );
  }, [token]);
  return html`<main class="sign-in"><p class="card sign-in-card" role="status">${t('signIn.usingLink')}</p></main>`;
}

/** The API route each section reads first: a role that may not read it does not see the section. */
const SECTION_ROUTE = {
  tasks: '/api/follow-up-tasks',
  dashboard: '/api/analytics/kpi',
  surveys: '/api/surveys',
  campaigns: '/api/campaigns',
  clients: '/api/clients',
  contacts: '/api/contacts',
  responses: '/api/responses',
  outbox: '/api/outbox',
  // Analysts read the directory to pick assignees; the page itself manages people, which is an admin's work.
  employees: '/api/employees/:id',
  'api-keys': '/api/api-keys',
  audit: '/api/audit',
};

const mayOpen = (section) => !SECTION_ROUTE[section] || can('GET', SECTION_ROUTE[section]);

function Page({ route }) {
  const [section, id, sub] = route.segments;
  if (section && !mayOpen(section)) return html`<p class="error-note" role="alert">${t('common.forbidden')} <a href=${`#${landing()}`}>${t('common.home')}</a></p>`;
  switch (section) {
    case undefined:
      return landing() === '/me' ? html`<${Me} />` : landing() === '/tasks' ? html`<${TaskList} query=${route.query} />` : html`<${Dashboard} query=${route.query} />`;
    case 'tasks':
      if (id === 'new') return html`<${NewActionPlan} query=${route.query} key=${route.query.toString()} />`;
      return id ? html`<${TaskDetail} id=${id} key=${id} />` : html`<${TaskList} query=${route.query} />`;
    case 'dashboard':
      return html`<${Dashboard} query=${route.query} />`;
    case 'me':
      return html`<${Me} />`;
    case 'employees':
      return id ? html`<${EmployeeDetail} id=${id} key=${id} />` : html`<${Employees} />`;
    case 'contacts':
      return id ? html`<${ContactDetail} id=${id} key=${id} />` : html`<${ContactList} query=${route.query} />`;
    case 'api-keys':
      return html`<${ApiKeys} />`;
    case 'audit':
      return html`<${Audit} />`;
    case 'surveys':
      return id ? html`<${SurveyEditor} id=${id === 'new' ? null : id} key=${id} />` : html`<${SurveyList} />`;
    case 'campaigns':
      if (id && sub === 'members' && route.segments[3]) return html`<${MemberDetail} campaignId=${id} memberId=${route.segments[3]} key=${route.segments[3]} />`;
      return id ? html`<${CampaignDetail} id=${id} key=${id} />` : html`<${CampaignList} />`;
    case 'clients':
      return id ? html`<${ClientDetail} id=${id} key=${id} query=${route.query} />` : html`<${ClientList} query=${route.query} />`;
    case 'responses':
      return id ? html`<${ResponseDetail} id=${id} key=${id} />` : html`<${ResponseList} query=${route.query} />`;
    case 'outbox':
      return id ? html`<${OutboxDetail} id=${id} key=${id} />` : html`<${OutboxList} query=${route.query} />`;
    default:
      return html`<p>${t('common.notFound')} <a href="#/dashboard">${t('nav.dashboard')}</a></p>${sub ?? ''}`;
  }
}

function App() {
  const route = useRoute();
  // undefined: still asking the server who this is; null: nobody signed in.
  const [me, setMe] = useState(undefined);
  const [expired, setExpired] = useState(null);
  const [problem, setProblem] = useState(null);
  const [usedLink, setUsedLink] = useState(null);
  const [, setLanguageState] = useState(currentLanguage());

  const signedIn = (identity) => {
    setIdentity(identity);
    session.useCsrfToken(identity.csrfToken);
    setExpired(null);
    setProblem(null);
    setMe(identity);
  };
  const signedOut = () => {
    setIdentity(null);
    setMe(null);
  };

  const linkToken = route.segments[0] === 'sign-in' && route.segments[1] === 'link' ? route.segments[2] : undefined;

  useEffect(() => {
    whenUnauthorized((how) => {
      setExpired(how);
      signedOut();
    });
    if (linkToken) return;
    // A pasted key (this tab) or the session cookie (httpOnly: only the server can tell).
    api('/api/auth/me', { key: session.key() ?? '' }).then(signedIn, () => {
      if (session.key()) setExpired('key');
      session.signOut();
      signedOut();
    });
  }, []);

  useEffect(() => {
    const section = route.segments[0] ?? 'dashboard';
    document.title = `${t(`nav.${section}`)} · npsflow`;
  }, [route.path, me]);

  const changeLanguage = (code) => {
    setLanguage(code);
    setLanguageState(code);
  };

  if (linkToken && linkToken !== usedLink && !me) {
    return html`<${LinkSignIn}
      token=${linkToken}
      onSignedIn=${(identity) => {
        signedIn(identity);
        navigate(landing());
      }}
      onFailed=${(message) => {
        setUsedLink(linkToken);
        setProblem(message);
        signedOut();
      }}
    />`;
  }
  if (me === undefined) return html`<main class="sign-in"><p class="muted" aria-live="polite">${t('common.loading')}</p></main>`;
  if (!me) {
    return html`<${SignIn}
      expired=${expired}
      problem=${problem}
      onLanguage=${changeLanguage}
      onSignedIn=${(identity) => {
        signedIn(identity);
        if (!route.segments[0] || route.segments[0] === 'sign-in') navigate(landing());
      }}
    />`;
  }

  const section = route.segments[0] ?? landing().slice(1);
  return html`<div class="shell" key=${currentLanguage()}>
    <nav class="sidebar" aria-label=${t('nav.label')}>
      <div class="brand"><img src="/admin/favicon.svg" alt="" width="26" height="26" />npsflow</div>
      <ul>
        ${NAV.filter(([name]) => mayOpen(name)).map(
          ([name, label]) => html`<li key=${name}>
            <a href=${`#/${name}`} class=${section === name ? 'current' : ''} aria-current=${section === name ? 'page' : undefined}>${t(name === 'tasks' && me.role === 'employee' ? 'nav.tasks.mine' : label)}</a>
          </li>`,
        )}
      </ul>
      <div class="sidebar-foot">
        <a href="#/me" class="who" data-testid="signed-in-as">${me.name}<span class="small"> · ${t(`role.${me.role}`)}</span></a>
        <${LanguageSwitch} onChange=${changeLanguage} />
        <button
          type="button"
          class="link"
          onClick=${async () => {
            if (me.kind === 'session') await api('/api/auth/sign-out', { method: 'POST' }).catch(() => undefined);
            session.signOut();
            setExpired(null);
            signedOut();
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
