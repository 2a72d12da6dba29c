/**
 * Plain localized (nl/en) emails for the member lifecycle. Deliberately simple: a later issue
 * replaces them with designed templates per template set. Every value is HTML-escaped.
 */
export type EmailLanguage = 'nl' | 'en';

export interface RenderedEmail {
  subject: string;
  html: string;
  text: string;
}

export function emailLanguage(language: string | null | undefined, fallback = 'en'): EmailLanguage {
  const primary = (language ?? fallback).toLowerCase().slice(0, 2);
  return primary === 'nl' ? 'nl' : 'en';
}

function escapeHtml(value: string): string {
  return value.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);
}

function formatDate(date: Date, language: EmailLanguage, timeZone: string): string {
  return new Intl.DateTimeFormat(language === 'nl' ? 'nl-NL' : 'en-GB', { dateStyle: 'long', timeZone }).format(date);
}

/** Paragraphs (plain text, escaped for HTML) and an optional call-to-action link. */
function layout(subject: string, paragraphs: string[], action?: { label: string; url: string }): RenderedEmail {
  const htmlParagraphs = paragraphs.map((p) => `<p>${escapeHtml(p)}</p>`);
  if (action) {
    htmlParagraphs.push(`<p><a href="${escapeHtml(action.url)}">${escapeHtml(action.label)}</a></p>`);
  }
  const textParts = [...paragraphs];
  if (action) textParts.push(`${action.label}: ${action.url}`);
  return {
    subject,
    html: `<!doctype html><html><body>${htmlParagraphs.join('')}</body></html>`,
    text: `${textParts.join('\n\n')}\n`,
  };
}

export interface SurveyEmailInput {
  language: EmailLanguage;
  firstName: string;
  surveyTitle: string;
  link: string;
  expiresAt: Date;
  timeZone: string;
}

export function renderInvitation(input: SurveyEmailInput): RenderedEmail {
  const until = formatDate(input.expiresAt, input.language, input.timeZone);
  if (input.language === 'nl') {
    return layout(
      `Uw mening over ${input.surveyTitle}`,
      [
        `Beste ${input.firstName || 'klant'},`,
        `Wij horen graag hoe u onze dienstverlening ervaart. Het invullen van de vragenlijst "${input.surveyTitle}" duurt maar een paar minuten.`,
        `De link is persoonlijk en geldig tot en met ${until}.`,
      ],
      { label: 'Vragenlijst invullen', url: input.link },
    );
  }
  return layout(
    `Your opinion on ${input.surveyTitle}`,
    [
      `Dear ${input.firstName || 'customer'},`,
      `We would like to hear how you experience our service. The survey "${input.surveyTitle}" takes only a few minutes.`,
      `This link is personal and valid until ${until}.`,
    ],
    { label: 'Take the survey', url: input.link },
  );
}

export function renderReminder(input: SurveyEmailInput & { reminderNumber: number }): RenderedEmail {
  const until = formatDate(input.expiresAt, input.language, input.timeZone);
  if (input.language === 'nl') {
    return layout(
      `Herinnering: uw mening over ${input.surveyTitle}`,
      [
        `Beste ${input.firstName || 'klant'},`,
        `Onlangs vroegen wij u om de vragenlijst "${input.surveyTitle}" in te vullen. Uw antwoord helpt ons echt verder.`,
        `De link is geldig tot en met ${until}.`,
      ],
      { label: 'Vragenlijst invullen', url: input.link },
    );
  }
  return layout(
    `Reminder: your opinion on ${input.surveyTitle}`,
    [
      `Dear ${input.firstName || 'customer'},`,
      `Recently we asked you to take the survey "${input.surveyTitle}". Your answer really helps us.`,
      `The link is valid until ${until}.`,
    ],
    { label: 'Take the survey', url: input.link },
  );
}

export interface EmployeeEmailInput {
  language: EmailLanguage;
  employeeFirstName: string;
  contactName: string;
  surveyTitle: string;
  timeZone: string;
}

export function renderDetractorNotice(input: EmployeeEmailInput & { npsScore: number; dueAt: Date }): RenderedEmail {
  const due = formatDate(input.dueAt, input.language, input.timeZone);
  if (input.language === 'nl') {
    return layout(`Terugbelverzoek: ${input.contactName} gaf een ${input.npsScore}`, [
      `Beste ${input.employeeFirstName || 'collega'},`,
      `${input.contactName} beantwoordde "${input.surveyTitle}" met een NPS-score van ${input.npsScore}.`,
      `Er staat een feedbackgesprek voor u klaar; bel alstublieft vóór ${due}.`,
    ]);
  }
  return layout(`Feedback call: ${input.contactName} scored ${input.npsScore}`, [
    `Dear ${input.employeeFirstName || 'colleague'},`,
    `${input.contactName} answered "${input.surveyTitle}" with an NPS score of ${input.npsScore}.`,
    `A feedback call task is waiting for you; please call before ${due}.`,
  ]);
}

export function renderCompletionNotice(input: EmployeeEmailInput & { npsScore: number | null }): RenderedEmail {
  const score = input.npsScore === null ? '' : ` (NPS ${input.npsScore})`;
  if (input.language === 'nl') {
    return layout(`${input.contactName} heeft de vragenlijst ingevuld`, [
      `Beste ${input.employeeFirstName || 'collega'},`,
      `${input.contactName} heeft "${input.surveyTitle}" ingevuld${score}.`,
    ]);
  }
  return layout(`${input.contactName} completed the survey`, [
    `Dear ${input.employeeFirstName || 'colleague'},`,
    `${input.contactName} completed "${input.surveyTitle}"${score}.`,
  ]);
}

export function renderBounceNotice(input: EmployeeEmailInput & { emailAddress: string }): RenderedEmail {
  if (input.language === 'nl') {
    return layout(`E-mailadres van ${input.contactName} klopt niet`, [
      `Beste ${input.employeeFirstName || 'collega'},`,
      `De uitnodiging voor "${input.surveyTitle}" aan ${input.contactName} (${input.emailAddress}) kwam niet aan.`,
      'Wilt u het e-mailadres van dit contact bijwerken?',
    ]);
  }
  return layout(`Email address of ${input.contactName} bounced`, [
    `Dear ${input.employeeFirstName || 'colleague'},`,
    `The invitation for "${input.surveyTitle}" to ${input.contactName} (${input.emailAddress}) bounced.`,
    "Please update this contact's email address.",
  ]);
}

export function renderFollowUpOverdue(input: EmployeeEmailInput & { taskSubject: string; dueAt: Date }): RenderedEmail {
  const due = formatDate(input.dueAt, input.language, input.timeZone);
  if (input.language === 'nl') {
    return layout(`Verlopen: ${input.taskSubject}`, [
      `Beste ${input.employeeFirstName || 'collega'},`,
      `Het feedbackgesprek met ${input.contactName} had vóór ${due} moeten plaatsvinden en staat nog open.`,
    ]);
  }
  return layout(`Overdue: ${input.taskSubject}`, [
    `Dear ${input.employeeFirstName || 'colleague'},`,
    `The feedback call with ${input.contactName} was due by ${due} and is still open.`,
  ]);
}
