import { Type, type Static } from 'typebox';
import { CampaignSettingsSchema, DEFAULT_CAMPAIGN_SETTINGS, type CampaignSettings } from '../../domain/campaign-settings';
import { MemberFilter, memberFilterFields } from '../../campaigns/member-filter';
import { memberSortFields } from '../../campaigns/member-list';
import { Segment } from '../../campaigns/segments';
import { MEMBER_STATUSES } from '../../domain/member-status';
import { ContactInput, Nullable } from './contacts';
import { PageQuery } from './common';

const UuidRef = Type.String({ format: 'uuid' });
const Timestamp = Type.String({ format: 'date-time' });

export const CampaignMode = Type.Union([Type.Literal('wave'), Type.Literal('always_on')], {
  description: 'wave: members added, then launched once; always_on: each member added after an interaction starts at once',
});

export const CampaignInput = Type.Object(
  {
    name: Type.String({ minLength: 1, maxLength: 200 }),
    surveyId: UuidRef,
    mode: Type.Optional(CampaignMode),
    ownerEmployeeId: Type.Optional(Nullable(UuidRef)),
    previousCampaignId: Type.Optional(Nullable(UuidRef)),
    settings: Type.Optional(CampaignSettingsSchema),
  },
  { additionalProperties: false },
);
export type CampaignInput = Static<typeof CampaignInput>;

export const CampaignPatch = Type.Object(
  {
    name: Type.Optional(Type.String({ minLength: 1, maxLength: 200 })),
    ownerEmployeeId: Type.Optional(Nullable(UuidRef)),
    previousCampaignId: Type.Optional(Nullable(UuidRef)),
    settings: Type.Optional(CampaignSettingsSchema),
  },
  { additionalProperties: false, minProperties: 1 },
);
export type CampaignPatch = Static<typeof CampaignPatch>;

export const MemberStatus = Type.Union(MEMBER_STATUSES.map((s) => Type.Literal(s)));

/**
 * A campaign's settings as stored: every setting, with the input schema's limits and descriptions
 * and its default, so the OpenAPI document (and the admin form, which reads it) has them in one place.
 */
export const ResolvedSettings = Type.Unsafe<CampaignSettings>({
  type: 'object',
  required: Object.keys(DEFAULT_CAMPAIGN_SETTINGS),
  properties: Object.fromEntries(
    Object.entries(CampaignSettingsSchema.properties).map(([key, schema]) => [
      key,
      { ...JSON.parse(JSON.stringify(schema)), default: DEFAULT_CAMPAIGN_SETTINGS[key as keyof CampaignSettings] },
    ]),
  ),
});

export const Campaign = Type.Object(
  {
    id: UuidRef,
    name: Type.String(),
    surveyId: UuidRef,
    mode: CampaignMode,
    status: Type.String(),
    ownerEmployeeId: Nullable(Type.String({ format: 'uuid' })),
    previousCampaignId: Nullable(Type.String({ format: 'uuid' })),
    settings: ResolvedSettings,
    launchedAt: Nullable(Timestamp),
    createdAt: Timestamp,
    updatedAt: Timestamp,
    memberCounts: Type.Optional(Type.Record(Type.String(), Type.Integer())),
  },
  { $id: 'Campaign' },
);

export const CampaignListQuery = Type.Object(
  {
    ...PageQuery,
    surveyId: Type.Optional(UuidRef),
    mode: Type.Optional(CampaignMode),
    status: Type.Optional(Type.Union(['draft', 'launching', 'active', 'closed'].map((s) => Type.Literal(s)))),
  },
  { additionalProperties: false },
);

const Interaction = {
  entityType: Type.Optional(Type.Union([Type.Literal('contactmoment'), Type.Literal('request'), Type.Literal('client')])),
  entityRef: Type.Optional(Type.String({ minLength: 1, maxLength: 200 })),
  channel: Type.Optional(Type.String({ minLength: 1, maxLength: 100 })),
  requestType: Type.Optional(Type.String({ minLength: 1, maxLength: 100 })),
};

/** A member is an existing contact, or contact data upserted by its externalRef. */
export const MemberInput = Type.Union([
  Type.Object({ contactId: UuidRef, ...Interaction }, { additionalProperties: false }),
  Type.Object(
    {
      contact: Type.Intersect([ContactInput, Type.Object({ externalRef: Type.String({ minLength: 1, maxLength: 200 }) })]),
      ...Interaction,
    },
    { additionalProperties: false },
  ),
]);
export type MemberInput = Static<typeof MemberInput>;

export const AddMembersBody = Type.Object(
  {
    members: Type.Optional(Type.Array(MemberInput, { minItems: 1, maxItems: 10_000 })),
    segment: Type.Optional(Segment),
  },
  { additionalProperties: false, minProperties: 1, maxProperties: 1, description: 'Either members (by id or contact data) or a segment' },
);

export const SegmentBody = Type.Object({ segment: Segment }, { additionalProperties: false });

const Count = Type.Integer({ minimum: 0 });
export const AddMembersResult = Type.Object({
  added: Count,
  alreadyMembers: Count,
  starting: Type.Integer({ minimum: 0, description: 'members of a launched campaign asked of its launch' }),
  memberIds: Type.Optional(Type.Array(UuidRef, { description: "each given member's id, in order (members given by id or data)" })),
});

export const SegmentAddOperation = Type.Object({
  operationId: UuidRef,
  matching: Type.Integer({ description: 'contacts the segment matched when the operation was asked for' }),
});

export const SegmentPreview = Type.Object({
  matching: Count,
  alreadyMembers: Count,
  toAdd: Count,
  ineligible: Type.Object({
    total: Count,
    byReason: Type.Record(Type.String(), Count, {
      description: 'members an add would make that the sendability checks would end before an invitation, by the status they would get',
    }),
  }),
  sample: Type.Array(
    Type.Object({
      id: UuidRef,
      externalRef: Nullable(Type.String()),
      email: Nullable(Type.String()),
      firstName: Type.String(),
      lastName: Type.String(),
      language: Nullable(Type.String()),
      region: Nullable(Type.String()),
      clientId: Nullable(Type.String({ format: 'uuid' })),
      frontlineEmployeeId: Nullable(Type.String({ format: 'uuid' })),
      unsendableReason: Nullable(Type.String()),
    }),
  ),
});

export const Member = Type.Object(
  {
    id: UuidRef,
    campaignId: UuidRef,
    contactId: UuidRef,
    status: MemberStatus,
    entityType: Nullable(Type.String()),
    entityRef: Nullable(Type.String()),
    channel: Nullable(Type.String()),
    requestType: Nullable(Type.String()),
    scheduledSendAt: Nullable(Timestamp),
    lastCommunicationAt: Nullable(Timestamp),
    remindersSent: Type.Integer(),
    workflowStartedAt: Nullable(Timestamp),
    invitedAt: Nullable(Type.String({ format: 'date-time', description: 'when the current invitation email was queued' })),
    statusChangedAt: Type.String({ format: 'date-time', description: 'when the status last changed (at first: when the member was added)' }),
    createdAt: Timestamp,
    updatedAt: Timestamp,
    contact: Type.Object({
      email: Nullable(Type.String()),
      firstName: Type.String(),
      lastName: Type.String(),
      language: Nullable(Type.String()),
      region: Nullable(Type.String()),
      timeZone: Nullable(Type.String()),
      clientId: Nullable(Type.String()),
      clientName: Nullable(Type.String()),
      frontlineEmployeeId: Nullable(Type.String()),
      frontlineEmployeeName: Nullable(Type.String()),
    }),
  },
  { $id: 'CampaignMember' },
);

export const MemberListQuery = Type.Object({ ...PageQuery, ...memberFilterFields, ...memberSortFields }, { additionalProperties: false });
export const MemberExportQuery = Type.Object({ ...memberFilterFields, ...memberSortFields }, { additionalProperties: false });

/** What a bulk action can do to members (operation kinds of the same names). */
export const MEMBER_ACTIONS = ['reject', 'reinclude', 'resend', 'remove', 'change_frontline_employee'] as const;

export const MemberActionBody = Type.Object(
  {
    action: Type.Union(MEMBER_ACTIONS.map((a) => Type.Literal(a))),
    memberIds: Type.Optional(Type.Array(UuidRef, { minItems: 1, maxItems: 10_000, uniqueItems: true })),
    filter: Type.Optional(MemberFilter),
    frontlineEmployeeId: Type.Optional(Type.String({ format: 'uuid', description: 'change_frontline_employee: the new frontline employee' })),
  },
  { additionalProperties: false, description: 'Members by id, or every member the filter matches (as each page of the operation finds them)' },
);

/** Any of the campaign's settings; what matters to running members reaches them through an operation. */
export const SettingsChange = Type.Object(CampaignSettingsSchema.properties, { additionalProperties: false, minProperties: 1 });
