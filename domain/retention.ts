/*
 * Retention: what the daily retention workflow removes, in which order. Per survey, the link
 * between a response and its contact and the open answers (surveys.response_link_retention_days,
 * surveys.open_answer_retention_days); globally, outbox bodies, email events and audit entries
 * (RETENTION_* variables, config/). Pure: the workflow imports it.
 */

/** The removal steps, in the order a run takes them. */
export const RETENTION_STEPS = ['responseLinks', 'openAnswers', 'outboxBodies', 'emailEvents', 'auditEntries'] as const;
export type RetentionStep = (typeof RETENTION_STEPS)[number];

/** How many rows each step removed (or blanked). */
export type RetentionCounts = Record<RetentionStep, number>;

export const noRetentionCounts = (): RetentionCounts => ({
  responseLinks: 0,
  openAnswers: 0,
  outboxBodies: 0,
  emailEvents: 0,
  auditEntries: 0,
});

/** The global periods, in days. */
export interface RetentionPeriods {
  /** After this, a sent (or failed, withheld) email keeps its row but loses body, headers and address. */
  outboxBodyDays: number;
  /** After this, a provider event (delivered, opened, bounced …) is deleted. */
  emailEventDays: number;
  /** After this, an audit entry is deleted. */
  auditDays: number;
}

export const DAY_MS = 86_400_000;

/** The instant before which a period of `days` ending at `at` has passed. */
export const cutoffOf = (at: Date, days: number): Date => new Date(at.getTime() - days * DAY_MS);
