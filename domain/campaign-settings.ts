import { Type, type Static } from 'typebox';
import { LANGUAGE_PATTERN, NO_SEND_DATES_MAX, SEND_WINDOW_RANGES, SETTING_RANGES, TEMPLATE_SETS, TIME_ZONE_MAX_LENGTH } from './setting-limits';

/**
 * A campaign's send settings: template set, reminders, expiry,
 * send window, no-send rule and follow-up due days. One schema serves API validation, the
 * OpenAPI document and the TypeScript type; workflows import the type only.
 */
export const TemplateSet = Type.Unsafe<(typeof TEMPLATE_SETS)[number]>(
  Type.Union(
    TEMPLATE_SETS.map((set) => Type.Literal(set)),
    { description: 'The email template set: how the invitation and reminders open, and their accent colour' },
  ),
);

const R = SETTING_RANGES;
const W = SEND_WINDOW_RANGES;

export const Weekday = Type.Integer({ ...W.weekday, description: 'ISO weekday, 1 = Monday' });

export const SendWindow = Type.Object(
  {
    startHour: Type.Integer({ ...W.startHour, default: 9, description: 'First local hour an invitation may go out' }),
    endHour: Type.Integer({ ...W.endHour, default: 17, description: 'Local hour the window closes (exclusive); after startHour' }),
    weekdays: Type.Array(Weekday, { minItems: 1, maxItems: 7, uniqueItems: true, default: [1, 2, 3, 4, 5], description: 'Days an invitation may go out' }),
  },
  { additionalProperties: false, description: "When invitations go out, in the contact's local time" },
);

export const CampaignSettingsSchema = Type.Object(
  {
    templateSet: Type.Optional(TemplateSet),
    defaultLanguage: Type.Optional(
      Type.String({ pattern: LANGUAGE_PATTERN, description: "Language of emails to contacts without a language of their own (ISO 639-1, e.g. nl)" }),
    ),
    defaultTimeZone: Type.Optional(
      Type.String({ minLength: 1, maxLength: TIME_ZONE_MAX_LENGTH, description: 'IANA time zone of contacts with neither a zone nor a known region' }),
    ),
    reminders: Type.Optional(Type.Integer({ ...R.reminders, description: 'Reminders after the invitation; 0: none' })),
    reminderIntervalDays: Type.Optional(Type.Integer({ ...R.reminderIntervalDays, description: 'Days between the invitation and each reminder' })),
    expiryDays: Type.Optional(Type.Integer({ ...R.expiryDays, description: 'Days the survey link stays valid after the invitation' })),
    sendWindow: Type.Optional(SendWindow),
    noSendRuleDays: Type.Optional(
      Type.Integer({ ...R.noSendRuleDays, description: 'A contact who answered a survey within this many days is not mailed; 0: no such rule' }),
    ),
    followUpDueDays: Type.Optional(Type.Integer({ ...R.followUpDueDays, description: "Days a detractor's follow-up task is due after the answer" })),
    /** Days a follow-up task may stay open past its due day before it goes to the campaign owner. */
    escalationDays: Type.Optional(
      Type.Integer({ ...R.escalationDays, description: 'Days an open follow-up task may be overdue before it goes to the campaign owner' }),
    ),
    /** Tell the responsible employee of every completed survey (a detractor's task email replaces it). */
    completionNotices: Type.Optional(Type.Boolean({ description: 'Tell the frontline employee of every completed survey' })),
    /** Spread invitations over this many minutes so a wave does not fire in one second. */
    staggerMinutes: Type.Optional(Type.Integer({ ...R.staggerMinutes, description: 'Minutes over which invitations are spread from the window opening' })),
    noSendDates: Type.Optional(
      Type.Array(Type.String({ format: 'date' }), {
        maxItems: NO_SEND_DATES_MAX,
        uniqueItems: true,
        description: "Local dates (YYYY-MM-DD, in the contact's time zone) on which no invitation goes out, such as public holidays",
      }),
    ),
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
  noSendDates: string[];
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
  noSendDates: [],
};

/** Fills unset settings with the defaults. */
export function resolveCampaignSettings(input: CampaignSettingsInput | undefined): CampaignSettings {
  return {
    ...DEFAULT_CAMPAIGN_SETTINGS,
    ...Object.fromEntries(Object.entries(input ?? {}).filter(([, v]) => v !== undefined)),
    sendWindow: { ...DEFAULT_CAMPAIGN_SETTINGS.sendWindow, ...(input?.sendWindow ?? {}) },
  } as CampaignSettings;
}
