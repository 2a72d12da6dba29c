import { Type, type Static } from 'typebox';

/**
 * A campaign's send settings: template set, reminders, expiry,
 * send window, no-send rule and follow-up due days. One schema serves API validation, the
 * OpenAPI document and the TypeScript type; workflows import the type only.
 */
export const TemplateSet = Type.Union([
  Type.Literal('A'),
  Type.Literal('B'),
  Type.Literal('C'),
  Type.Literal('D'),
  Type.Literal('E'),
]);

export const Weekday = Type.Integer({ minimum: 1, maximum: 7, description: 'ISO weekday, 1 = Monday' });

export const SendWindow = Type.Object(
  {
    startHour: Type.Integer({ minimum: 0, maximum: 23, default: 9 }),
    endHour: Type.Integer({ minimum: 1, maximum: 24, default: 17, description: 'exclusive' }),
    weekdays: Type.Array(Weekday, { minItems: 1, maxItems: 7, uniqueItems: true, default: [1, 2, 3, 4, 5] }),
  },
  { additionalProperties: false },
);

export const CampaignSettingsSchema = Type.Object(
  {
    templateSet: Type.Optional(TemplateSet),
    defaultLanguage: Type.Optional(Type.String({ pattern: '^[a-z]{2}$' })),
    defaultTimeZone: Type.Optional(Type.String({ minLength: 1, maxLength: 64 })),
    reminders: Type.Optional(Type.Integer({ minimum: 0, maximum: 3 })),
    reminderIntervalDays: Type.Optional(Type.Integer({ minimum: 2, maximum: 14 })),
    expiryDays: Type.Optional(Type.Integer({ minimum: 1, maximum: 365 })),
    sendWindow: Type.Optional(SendWindow),
    noSendRuleDays: Type.Optional(Type.Integer({ minimum: 0, maximum: 3650 })),
    followUpDueDays: Type.Optional(Type.Integer({ minimum: 1, maximum: 90 })),
    /** Days a follow-up task may stay open past its due day before it goes to the campaign owner. */
    escalationDays: Type.Optional(Type.Integer({ minimum: 1, maximum: 90 })),
    /** Tell the responsible employee of every completed survey (a detractor's task email replaces it). */
    completionNotices: Type.Optional(Type.Boolean()),
    /** Spread invitations over this many minutes so a wave does not fire in one second. */
    staggerMinutes: Type.Optional(Type.Integer({ minimum: 0, maximum: 1440 })),
  },
  { additionalProperties: false },
);

export type CampaignSettingsInput = Static<typeof CampaignSettingsSchema>;

export interface CampaignSettings {
  templateSet: 'A' | 'B' | 'C' | 'D' | 'E';
  defaultLanguage: string;
  defaultTimeZone: string;
  reminders: number;
  reminderIntervalDays: number;
  expiryDays: number;
  sendWindow: { startHour: number; endHour: number; weekdays: number[] };
  noSendRuleDays: number;
  followUpDueDays: number;
  escalationDays: number;
  completionNotices: boolean;
  staggerMinutes: number;
}

export const DEFAULT_CAMPAIGN_SETTINGS: CampaignSettings = {
  templateSet: 'A',
  defaultLanguage: 'en',
  defaultTimeZone: 'Europe/Amsterdam',
  reminders: 2,
  reminderIntervalDays: 7,
  expiryDays: 30,
  sendWindow: { startHour: 9, endHour: 17, weekdays: [1, 2, 3, 4, 5] },
  noSendRuleDays: 365,
  followUpDueDays: 14,
  escalationDays: 3,
  completionNotices: true,
  staggerMinutes: 60,
};

/** Fills unset settings with the defaults. */
export function resolveCampaignSettings(input: CampaignSettingsInput | undefined): CampaignSettings {
  return {
    ...DEFAULT_CAMPAIGN_SETTINGS,
    ...Object.fromEntries(Object.entries(input ?? {}).filter(([, v]) => v !== undefined)),
    sendWindow: { ...DEFAULT_CAMPAIGN_SETTINGS.sendWindow, ...(input?.sendWindow ?? {}) },
  } as CampaignSettings;
}
