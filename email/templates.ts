import { renderBlocks, type EmailBlocks, type RenderedEmail } from './mjml-layout';

export type { RenderedEmail } from './mjml-layout';

/*
 * The emails of the member lifecycle, per template set (A–E) and language (nl, en), each with an
 * HTML part (MJML) and a plain-text part. The sets differ in how they open (what the survey is
 * about) and in their accent colour; the rest of a message is shared so every set keeps the
 * same deliverability parts: a visible unsubscribe link, a preview line, no images.
 */

export const EMAIL_LANGUAGES = ['nl', 'en'] as const;
export type EmailLanguage = (typeof EMAIL_LANGUAGES)[number];
export type TemplateSet = 'A' | 'B' | 'C' | 'D' | 'E';

/**
 * The first supported language among the candidates (contact, then campaign default …), else
 * English. Only the primary subtag counts: 'nl-BE' is Dutch.
 */
export function emailLanguage(...candidates: (string | null | undefined)[]): EmailLanguage {
  for (const candidate of candidates) {
    const primary = candidate?.trim().toLowerCase().split(/[-_]/)[0];
    if (primary && (EMAIL_LANGUAGES as readonly string[]).includes(primary)) return primary as EmailLanguage;
  }
  return 'en';
}

/** Accent colours: white text on each has a contrast of at least 4.5:1. */
const ACCENT: Record<TemplateSet, string> = {
  A: '#0b4f9c',
  B: '#0f766e',
  C: '#6d28d9',
  D: '#92400e',
  E: '#9f1239',
};

interface Copy {
  dear: (name: string) => string;
  customer: string;
  colleague: string;
  /** What the survey is about, per template set. */
  opening: Record<TemplateSet, string>;
  invitationSubject: (title: string) => string;
  invitationBody: (title: string) => string;
  reminderSubject: (title: string, n: number) => string;
  reminderBody: (title: string, n: number, until: string) => string;
  takeSurvey: string;
  personalLink: (until: string) => string;
  preheader: (title: string) => string;
  whyYouGetThis: string;
  unsubscribeText: string;
  unsubscribeLabel: string;
  automaticNotice: string;
  detractorSubject: (contact: string, score: number) => string;
  detractorBody: (contact: string, title: string, score: number, due: string) => string[];
  completionSubject: (contact: string) => string;
  completionBody: (contact: string, title: string, score: number | null) => string[];
  bounceSubject: (contact: string) => string;
  bounceBody: (contact: string, title: string, address: string) => string[];
  updateAddress: string;
  overdueSubject: (task: string) => string;
  overdueBody: (contact: string, due: string) => string[];
}

const nl: Copy = {
  dear: (name) => `Beste ${name},`,
  customer: 'klant',
  colleague: 'collega',
  opening: {
    A: 'Wij horen graag hoe u onze dienstverlening ervaart.',
    B: 'U werkt al enige tijd met ons samen. Hoe kijkt u terug op het afgelopen jaar?',
    C: 'Onlangs had u contact met ons. Hoe heeft u dat ervaren?',
    D: 'Uw project met ons is afgerond. Hoe tevreden bent u over het resultaat en de samenwerking?',
    E: 'Eén korte vraag, een halve minuut: hoe waarschijnlijk is het dat u ons aanbeveelt?',
  },
  invitationSubject: (title) => `Uw mening over ${title}`,
  invitationBody: (title) => `De vragenlijst „${title}” kost u maar een paar minuten.`,
  reminderSubject: (title, n) => `${n === 1 ? 'Herinnering' : n === 2 ? 'Tweede herinnering' : 'Laatste herinnering'}: uw mening over ${title}`,
  reminderBody: (title, n, until) =>
    n === 1
      ? `Onlangs vroegen wij u om de vragenlijst „${title}” in te vullen. Heeft u er alsnog even tijd voor?`
      : n === 2
        ? `Wij hebben uw mening over „${title}” nog niet ontvangen. Uw antwoord helpt ons echt verder.`
        : `Dit is onze laatste herinnering: u kunt „${title}” nog invullen tot en met ${until}.`,
  takeSurvey: 'Vragenlijst invullen',
  personalLink: (until) => `Deze link is persoonlijk en geldig tot en met ${until}. Stuur deze e-mail daarom niet door.`,
  preheader: (title) => `Een paar minuten voor „${title}”`,
  whyYouGetThis: 'U ontvangt deze e-mail omdat u klant bij ons bent.',
  unsubscribeText: 'Liever geen enquêtes meer?',
  unsubscribeLabel: 'Afmelden',
  automaticNotice: 'Automatisch bericht van npsflow.',
  detractorSubject: (contact, score) => `Terugbelverzoek: ${contact} gaf een ${score}`,
  detractorBody: (contact, title, score, due) => [
    `${contact} beantwoordde „${title}” met een NPS-score van ${score}.`,
    `Er staat een feedbackgesprek voor u klaar; bel alstublieft vóór ${due}.`,
  ],
  completionSubject: (contact) => `${contact} heeft de vragenlijst ingevuld`,
  completionBody: (contact, title, score) => [`${contact} heeft „${title}” ingevuld${score === null ? '' : ` (NPS ${score})`}.`],
  bounceSubject: (contact) => `E-mailadres van ${contact} klopt niet`,
  bounceBody: (contact, title, address) => [
    `De uitnodiging voor „${title}” aan ${contact} (${address}) kwam niet aan: de ontvangende server weigerde het adres.`,
    'Wilt u het e-mailadres van dit contact bijwerken? Na een nieuw adres kan het contact weer uitgenodigd worden.',
  ],
  updateAddress: 'E-mailadres bijwerken',
  overdueSubject: (task) => `Verlopen: ${task}`,
  overdueBody: (contact, due) => [`Het feedbackgesprek met ${contact} had vóór ${due} moeten plaatsvinden en staat nog open.`],
};

const en: Copy = {
  dear: (name) => `Dear ${name},`,
  customer: 'customer',
  colleague: 'colleague',
  opening: {
    A: 'We would like to hear how you experience our service.',
    B: 'You have been working with us for a while. How do you look back on the past year?',
    C: 'You were in touch with us recently. How did you find it?',
    D: 'Your project with us has been completed. How satisfied are you with the result and the cooperation?',
    E: 'One short question, half a minute: how likely are you to recommend us?',
  },
  invitationSubject: (title) => `Your opinion on ${title}`,
  invitationBody: (title) => `The survey "${title}" takes only a few minutes.`,
  reminderSubject: (title, n) => `${n === 1 ? 'Reminder' : n === 2 ? 'Second reminder' : 'Last reminder'}: your opinion on ${title}`,
  reminderBody: (title, n, until) =>
    n === 1
      ? `Recently we asked you to take the survey "${title}". Would you still have a moment?`
      : n === 2
        ? `We have not received your opinion on "${title}" yet. Your answer really helps us.`
        : `This is our last reminder: you can take "${title}" until ${until}.`,
  takeSurvey: 'Take the survey',
  personalLink: (until) => `This link is personal and valid until ${until}, so please do not forward this email.`,
  preheader: (title) => `A few minutes for "${title}"`,
  whyYouGetThis: 'You receive this email because you are our customer.',
  unsubscribeText: 'Rather not receive surveys?',
  unsubscribeLabel: 'Unsubscribe',
  automaticNotice: 'Automatic message from npsflow.',
  detractorSubject: (contact, score) => `Feedback call: ${contact} scored ${score}`,
  detractorBody: (contact, title, score, due) => [
    `${contact} answered "${title}" with an NPS score of ${score}.`,
    `A feedback call task is waiting for you; please call before ${due}.`,
  ],
  completionSubject: (contact) => `${contact} completed the survey`,
  completionBody: (contact, title, score) => [`${contact} completed "${title}"${score === null ? '' : ` (NPS ${score})`}.`],
  bounceSubject: (contact) => `Email address of ${contact} bounced`,
  bounceBody: (contact, title, address) => [
    `The invitation for "${title}" to ${contact} (${address}) bounced: the receiving server rejected the address.`,
    "Please update this contact's email address; with a new address the contact can be invited again.",
  ],
  updateAddress: 'Update the email address',
  overdueSubject: (task) => `Overdue: ${task}`,
  overdueBody: (contact, due) => [`The feedback call with ${contact} was due by ${due} and is still open.`],
};

const COPY: Record<EmailLanguage, Copy> = { nl, en };

/** Date formats by language and zone: building one costs far more than formatting with it, and a wave uses a handful. */
const dateFormats = new Map<string, Intl.DateTimeFormat>();

function formatDate(date: Date, language: EmailLanguage, timeZone: string): string {
  const key = `${language} ${timeZone}`;
  let format = dateFormats.get(key);
  if (!format) {
    format = new Intl.DateTimeFormat(language === 'nl' ? 'nl-NL' : 'en-GB', { dateStyle: 'long', timeZone });
    dateFormats.set(key, format);
  }
  return format.format(date);
}

export interface SurveyEmailInput {
  language: EmailLanguage;
  templateSet: TemplateSet;
  firstName: string;
  surveyTitle: string;
  /** The personal survey link: only ever inside the message. */
  link: string;
  /** The contact's unsubscribe page (also in the List-Unsubscribe header). */
  unsubscribeUrl: string;
  expiresAt: Date;
  timeZone: string;
}

function surveyBlocks(input: SurveyEmailInput, subject: string, paragraphs: string[]): EmailBlocks {
  const copy = COPY[input.language];
  const until = formatDate(input.expiresAt, input.language, input.timeZone);
  return {
    language: input.language,
    subject,
    preheader: copy.preheader(input.surveyTitle),
    greeting: copy.dear(input.firstName || copy.customer),
    paragraphs,
    action: { label: copy.takeSurvey, url: input.link },
    afterAction: [copy.personalLink(until)],
    footer: [
      { text: copy.whyYouGetThis },
      { text: copy.unsubscribeText, link: { label: copy.unsubscribeLabel, url: input.unsubscribeUrl } },
    ],
    accent: ACCENT[input.templateSet],
  };
}

export function renderInvitation(input: SurveyEmailInput): Promise<RenderedEmail> {
  const copy = COPY[input.language];
  return renderBlocks(
    surveyBlocks(input, copy.invitationSubject(input.surveyTitle), [copy.opening[input.templateSet], copy.invitationBody(input.surveyTitle)]),
  );
}

export function renderReminder(input: SurveyEmailInput & { reminderNumber: number }): Promise<RenderedEmail> {
  const copy = COPY[input.language];
  const until = formatDate(input.expiresAt, input.language, input.timeZone);
  const n = Math.max(1, input.reminderNumber);
  return renderBlocks(
    surveyBlocks(input, copy.reminderSubject(input.surveyTitle, n), [copy.reminderBody(input.surveyTitle, n, until)]),
  );
}

export interface EmployeeEmailInput {
  language: EmailLanguage;
  templateSet: TemplateSet;
  employeeFirstName: string;
  contactName: string;
  surveyTitle: string;
  timeZone: string;
}

function employeeBlocks(input: EmployeeEmailInput, subject: string, paragraphs: string[], action?: EmailBlocks['action']): EmailBlocks {
  const copy = COPY[input.language];
  return {
    language: input.language,
    subject,
    preheader: paragraphs[0] ?? subject,
    greeting: copy.dear(input.employeeFirstName || copy.colleague),
    paragraphs,
    ...(action ? { action } : {}),
    footer: [{ text: copy.automaticNotice }],
    accent: ACCENT[input.templateSet],
  };
}

export function renderDetractorNotice(input: EmployeeEmailInput & { npsScore: number; dueAt: Date }): Promise<RenderedEmail> {
  const copy = COPY[input.language];
  const due = formatDate(input.dueAt, input.language, input.timeZone);
  return renderBlocks(
    employeeBlocks(input, copy.detractorSubject(input.contactName, input.npsScore), copy.detractorBody(input.contactName, input.surveyTitle, input.npsScore, due)),
  );
}

export function renderCompletionNotice(input: EmployeeEmailInput & { npsScore: number | null }): Promise<RenderedEmail> {
  const copy = COPY[input.language];
  return renderBlocks(
    employeeBlocks(input, copy.completionSubject(input.contactName), copy.completionBody(input.contactName, input.surveyTitle, input.npsScore)),
  );
}

export function renderBounceNotice(input: EmployeeEmailInput & { emailAddress: string; updateUrl: string }): Promise<RenderedEmail> {
  const copy = COPY[input.language];
  return renderBlocks(
    employeeBlocks(input, copy.bounceSubject(input.contactName), copy.bounceBody(input.contactName, input.surveyTitle, input.emailAddress), {
      label: copy.updateAddress,
      url: input.updateUrl,
    }),
  );
}

export function renderFollowUpOverdue(input: EmployeeEmailInput & { taskSubject: string; dueAt: Date }): Promise<RenderedEmail> {
  const copy = COPY[input.language];
  const due = formatDate(input.dueAt, input.language, input.timeZone);
  return renderBlocks(employeeBlocks(input, copy.overdueSubject(input.taskSubject), copy.overdueBody(input.contactName, due)));
}

/*
 * Follow-up task emails: each is the work item itself (who, how to reach them, what they said,
 * by when, one link to the task), in the employee's language and time zone.
 */

export type TaskEmailKind = 'detractor_notice' | 'follow_up_assigned' | 'follow_up_overdue' | 'follow_up_escalated';

export interface TaskEmailInput {
  kind: TaskEmailKind;
  language: EmailLanguage;
  timeZone: string;
  employeeFirstName: string;
  taskSubject: string;
  description: string;
  dueAt: Date;
  taskUrl: string;
  /** The customer the task is about, when there is one. */
  contact: { name: string; phone: string | null; email: string | null } | null;
  /** Feedback calls: the survey, the score and the open answers. */
  surveyTitle: string | null;
  npsScore: number | null;
  openAnswers: string[];
  /** Escalations: who has the task. */
  assigneeName: string | null;
}

interface TaskCopy {
  byEndOf: (day: string) => string;
  phone: string;
  email: string;
  theyWrote: string;
  openTask: string;
  detractorSubject: (contact: string, score: number | null) => string;
  detractorIntro: (contact: string, title: string, score: number | null) => string;
  callBy: (due: string) => string;
  assignedSubject: (task: string) => string;
  assignedIntro: (task: string, due: string) => string;
  overdueSubject: (task: string) => string;
  overdueIntro: (task: string, due: string) => string;
  escalatedSubject: (task: string) => string;
  escalatedIntro: (task: string, assignee: string, due: string) => string;
  nobody: string;
}

const TASK_COPY: Record<EmailLanguage, TaskCopy> = {
  nl: {
    byEndOf: (day) => `uiterlijk eind ${day}`,
    phone: 'Telefoon',
    email: 'E-mail',
    theyWrote: 'Wat de klant schreef:',
    openTask: 'Taak openen',
    detractorSubject: (contact, score) => `Terugbelverzoek: ${contact}${score === null ? '' : ` gaf een ${score}`}`,
    detractorIntro: (contact, title, score) => `${contact} beantwoordde „${title}”${score === null ? '' : ` met een ${score} van 10`}.`,
    callBy: (due) => `Bel alstublieft ${due} terug en leg de uitkomst vast in de taak.`,
    assignedSubject: (task) => `Nieuwe taak: ${task}`,
    assignedIntro: (task, due) => `De taak „${task}” staat op uw naam, af te ronden ${due}.`,
    overdueSubject: (task) => `Verlopen: ${task}`,
    overdueIntro: (task, due) => `De taak „${task}” moest ${due} af zijn en staat nog open.`,
    escalatedSubject: (task) => `Geëscaleerd: ${task}`,
    escalatedIntro: (task, assignee, due) => `De taak „${task}” van ${assignee} moest ${due} af zijn en staat nog open.`,
    nobody: 'niemand',
  },
  en: {
    byEndOf: (day) => `by the end of ${day}`,
    phone: 'Phone',
    email: 'Email',
    theyWrote: 'What the customer wrote:',
    openTask: 'Open the task',
    detractorSubject: (contact, score) => `Feedback call: ${contact}${score === null ? '' : ` scored ${score}`}`,
    detractorIntro: (contact, title, score) => `${contact} answered "${title}"${score === null ? '' : ` with ${score} out of 10`}.`,
    callBy: (due) => `Please call them back ${due} and record the outcome in the task.`,
    assignedSubject: (task) => `New task: ${task}`,
    assignedIntro: (task, due) => `The task "${task}" is yours, to be done ${due}.`,
    overdueSubject: (task) => `Overdue: ${task}`,
    overdueIntro: (task, due) => `The task "${task}" was due ${due} and is still open.`,
    escalatedSubject: (task) => `Escalated: ${task}`,
    escalatedIntro: (task, assignee, due) => `The task "${task}" of ${assignee} was due ${due} and is still open.`,
    nobody: 'nobody',
  },
};

/** "Friday 4 December" / "vrijdag 4 december": the due day as people say it. */
export function formatDueDay(date: Date, language: EmailLanguage, timeZone: string): string {
  return new Intl.DateTimeFormat(language === 'nl' ? 'nl-NL' : 'en-GB', { weekday: 'long', day: 'numeric', month: 'long', timeZone }).format(date);
}

export function renderTaskEmail(input: TaskEmailInput): Promise<RenderedEmail> {
  const copy = TASK_COPY[input.language];
  const due = copy.byEndOf(formatDueDay(input.dueAt, input.language, input.timeZone));
  const contactLines = input.contact
    ? [
        input.contact.name,
        ...(input.contact.phone ? [`${copy.phone}: ${input.contact.phone}`] : []),
        ...(input.contact.email ? [`${copy.email}: ${input.contact.email}`] : []),
      ]
    : [];
  const said = input.openAnswers.length > 0 ? [copy.theyWrote, ...input.openAnswers.map((answer) => `“${answer}”`)] : [];
  const description = input.description ? [input.description] : [];
  let subject: string;
  let paragraphs: string[];
  switch (input.kind) {
    case 'detractor_notice': {
      const name = input.contact?.name ?? input.taskSubject;
      subject = copy.detractorSubject(name, input.npsScore);
      paragraphs = [copy.detractorIntro(name, input.surveyTitle ?? input.taskSubject, input.npsScore), ...said, ...contactLines, copy.callBy(due)];
      break;
    }
    case 'follow_up_assigned':
      subject = copy.assignedSubject(input.taskSubject);
      paragraphs = [copy.assignedIntro(input.taskSubject, due), ...description, ...contactLines, ...said];
      break;
    case 'follow_up_overdue':
      subject = copy.overdueSubject(input.taskSubject);
      paragraphs = [copy.overdueIntro(input.taskSubject, due), ...contactLines];
      break;
    case 'follow_up_escalated':
      subject = copy.escalatedSubject(input.taskSubject);
      paragraphs = [copy.escalatedIntro(input.taskSubject, input.assigneeName ?? copy.nobody, due), ...contactLines];
      break;
  }
  return renderBlocks({
    language: input.language,
    subject,
    preheader: paragraphs[0] ?? subject,
    greeting: COPY[input.language].dear(input.employeeFirstName || COPY[input.language].colleague),
    paragraphs,
    action: { label: copy.openTask, url: input.taskUrl },
    footer: [{ text: COPY[input.language].automaticNotice }],
    accent: ACCENT.A,
  });
}
