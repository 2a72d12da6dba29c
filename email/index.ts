import type { Database } from '../db';
import type { Mailer } from './mailer';
import { OutboxQueue } from './outbox-queue';
import { ResendTransport } from './resend-transport';
import { outboxTransport, type EmailTransport } from './transport';

export { SURVEY_EMAIL_KINDS, type EmailKind, type EmailMessage, type Mailer, type SendResult } from './mailer';
export { OutboxQueue, enqueueEmail, DEFAULT_FROM_ADDRESS } from './outbox-queue';
export { ResendTransport } from './resend-transport';
export { outboxTransport, type EmailTransport, type OutgoingEmail, type BatchOutcome, type MessageResult } from './transport';
export { dispatchOnce, startEmailDispatcher, batchKey, MAX_BATCH_SIZE, type DispatcherOptions, type DispatchResult, type RunningDispatcher } from './dispatcher';
export { surveyEmailHeaders, addressOf, type SurveyHeaderInput } from './headers';
export * from './templates';

export interface MailerSettings {
  /** RESEND_API_KEY: when set, the dispatcher sends through Resend; otherwise the outbox row is the delivery. */
  resendApiKey?: string;
  resendBaseUrl?: string;
  from: string;
}

/** Every message goes into the outbox first, whatever the provider. */
export function createMailer(db: Database, settings: Pick<MailerSettings, 'from'>): Mailer {
  return new OutboxQueue(db, settings.from);
}

/** Resend when an API key is configured, the outbox table otherwise. */
export function createTransport(settings: Omit<MailerSettings, 'from'>): EmailTransport {
  return settings.resendApiKey ? new ResendTransport({ apiKey: settings.resendApiKey, baseUrl: settings.resendBaseUrl }) : outboxTransport;
}
