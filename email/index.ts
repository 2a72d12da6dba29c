export type { EmailKind, EmailMessage, Mailer, SendResult } from './mailer';
export { OutboxMailer, DEFAULT_FROM_ADDRESS, type OutboxMailerOptions } from './outbox-mailer';
export * from './templates';
