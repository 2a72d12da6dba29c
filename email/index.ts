import type { Database } from '../db';
import type { Mailer } from './mailer';
import { OutboxMailer } from './outbox-mailer';
import { ResendMailer } from './resend-mailer';

export type { EmailKind, EmailMessage, Mailer, SendResult } from './mailer';
export { OutboxMailer, DEFAULT_FROM_ADDRESS, type OutboxMailerOptions } from './outbox-mailer';
export { ResendMailer, type ResendMailerOptions } from './resend-mailer';
export { surveyEmailHeaders, addressOf, type SurveyHeaderInput } from './headers';
export * from './templates';

export interface MailerSettings {
  /** RESEND_API_KEY: when set, email goes out through Resend; otherwise into the outbox table. */
  resendApiKey?: string;
  resendBaseUrl?: string;
  from: string;
}

/** Resend when an API key is configured, the outbox table otherwise. */
export function createMailer(db: Database, settings: MailerSettings, now?: () => Date): Mailer {
  if (settings.resendApiKey) {
    return new ResendMailer(db, { apiKey: settings.resendApiKey, baseUrl: settings.resendBaseUrl, from: settings.from, now });
  }
  return new OutboxMailer(db, { from: settings.from, now });
}
