import { Type } from 'typebox';
import { PERIOD_UNITS } from '../../analytics/periods';
import { DIMENSIONS } from '../../analytics/counts';

/** Schemas of the analytics reports (numbers are unrounded; round for display only). */

const Nullable = <T extends ReturnType<typeof Type.Number>>(schema: T) => Type.Union([schema, Type.Null()]);
const NullableNumber = Nullable(Type.Number());
const NullableString = Type.Union([Type.String(), Type.Null()]);
const LocalDate = Type.String({ pattern: '^\\d{4}-\\d{2}-\\d{2}$', description: 'a local date (YYYY-MM-DD) in the reporting time zone' });

export const PeriodUnit = Type.Union(PERIOD_UNITS.map((unit) => Type.Literal(unit)));
export const DimensionName = Type.Union(DIMENSIONS.map((dimension) => Type.Literal(dimension)));

export const FilterQuery = {
  surveyId: Type.Optional(Type.String({ format: 'uuid' })),
  campaignId: Type.Optional(Type.String({ format: 'uuid' })),
  channel: Type.Optional(Type.String({ maxLength: 100 })),
  requestType: Type.Optional(Type.String({ maxLength: 100 })),
  clientId: Type.Optional(Type.String({ format: 'uuid' })),
  employeeId: Type.Optional(Type.String({ format: 'uuid', description: 'the frontline employee of the responding contact' })),
};

export const RangeQuery = {
  period: Type.Optional(PeriodUnit),
  date: Type.Optional(LocalDate),
  from: Type.Optional(LocalDate),
  to: Type.Optional(LocalDate),
};

const Filter = Type.Object(FilterQuery);
const Range = Type.Object({ from: LocalDate, to: LocalDate });
const LabelledRange = Type.Object({ from: LocalDate, to: LocalDate, label: Type.String() });

export const Nps = Type.Object(
  {
    n: Type.Integer({ description: 'NPS answers (skipped answers excluded)' }),
    promoters: Type.Integer(),
    passives: Type.Integer(),
    detractors: Type.Integer(),
    promoterPct: NullableNumber,
    passivePct: NullableNumber,
    detractorPct: NullableNumber,
    nps: Type.Union([Type.Number({ minimum: -100, maximum: 100 }), Type.Null()]),
    standardError: NullableNumber,
    marginOfError: Type.Union([Type.Number({ description: '95% margin, NPS points' }), Type.Null()]),
    reliable: Type.Boolean({ description: 'n ≥ minSample' }),
    minSample: Type.Integer(),
  },
);

const Satisfaction = Type.Object({
  n: Type.Integer(),
  average: Type.Union([Type.Number({ description: 'mean rating, 1–5' }), Type.Null()]),
  satisfied: Type.Integer(),
  satisfiedPct: NullableNumber,
});

const ResponseRate = Type.Object({
  invited: Type.Integer(),
  delivered: Type.Integer(),
  completed: Type.Integer(),
  ofInvited: NullableNumber,
  ofDelivered: NullableNumber,
});

const Change = Type.Object({
  delta: NullableNumber,
  threshold: NullableNumber,
  significant: Type.Boolean(),
  arrow: Type.Union([Type.Literal('up'), Type.Literal('down'), Type.Literal('flat'), Type.Literal('none')]),
});

const Source = Type.Union([Type.Literal('rollup'), Type.Literal('raw')]);

const metrics = {
  responses: Type.Integer(),
  nps: Nps,
  satisfaction: Satisfaction,
  responseRate: Type.Union([ResponseRate, Type.Null()]),
};

export const Kpi = Type.Object({
  filter: Filter,
  timeZone: Type.String(),
  range: LabelledRange,
  ...metrics,
  previous: Type.Object({ range: Range, responses: Type.Integer(), nps: Nps }),
  change: Change,
  source: Source,
});

export const Trend = Type.Object({
  filter: Filter,
  timeZone: Type.String(),
  unit: PeriodUnit,
  periods: Type.Array(Type.Object({ label: Type.String(), from: LocalDate, to: LocalDate, ...metrics, change: Change })),
  source: Source,
});

export const Breakdown = Type.Object({
  filter: Filter,
  by: DimensionName,
  timeZone: Type.String(),
  range: LabelledRange,
  rows: Type.Array(Type.Object({ key: NullableString, label: Type.String(), ...metrics })),
  source: Source,
});

const WaveSide = Type.Object({ responses: Type.Integer(), nps: Nps, satisfaction: Satisfaction });
const WaveRow = Type.Object({ key: NullableString, label: Type.String(), current: WaveSide, previous: WaveSide, change: Change });
const WaveCampaign = Type.Object({ id: Type.String(), name: Type.String(), surveyId: Type.String(), responseRate: ResponseRate });

export const WaveSegment = Type.Union([...DIMENSIONS.map((dimension) => Type.Literal(dimension)), Type.Literal('none')]);

export const Waves = Type.Object({
  campaign: WaveCampaign,
  previousCampaign: WaveCampaign,
  segment: WaveSegment,
  total: WaveRow,
  segments: Type.Array(WaveRow),
});

/** How fast the follow-up loop closes for one group of tasks (hours; shares 0–100). */
const loopFigures = {
  open: Type.Integer({ description: 'open or in progress' }),
  overdue: Type.Integer(),
  escalated: Type.Integer({ description: 'open and escalated' }),
  closed: Type.Integer(),
  closedWithinDuePct: NullableNumber,
  firstActionMedianHours: NullableNumber,
  firstActionP90Hours: NullableNumber,
  closeMedianHours: NullableNumber,
  closeP90Hours: NullableNumber,
};

export const TaskLoadQuery = Type.Object(
  {
    surveyId: Type.Optional(Type.String({ format: 'uuid' })),
    campaignId: Type.Optional(Type.String({ format: 'uuid' })),
    from: Type.Optional(Type.String({ format: 'date', description: 'tasks created on or after this day (in the reporting time zone, as every report)' })),
    to: Type.Optional(Type.String({ format: 'date', description: 'tasks created on or before this day' })),
  },
  { additionalProperties: false },
);

export const TaskLoad = Type.Object({
  asOf: Type.String(),
  filter: Type.Record(Type.String(), Type.String()),
  totals: Type.Object(loopFigures),
  rows: Type.Array(Type.Object({ employeeId: NullableString, name: Type.String(), email: NullableString, oldestDueAt: NullableString, ...loopFigures })),
  campaigns: Type.Array(Type.Object({ campaignId: NullableString, name: Type.String(), ...loopFigures })),
  periods: Type.Array(Type.Object({ period: Type.String({ description: 'YYYY-MM' }), ...loopFigures })),
});

export const Settings = Type.Object({
  timeZone: Type.String({ description: 'IANA zone the reporting days are cut in' }),
  minSample: Type.Integer({ minimum: 1 }),
});

export const SettingsPatch = Type.Object(
  {
    timeZone: Type.Optional(Type.String({ minLength: 1, maxLength: 100 })),
    minSample: Type.Optional(Type.Integer({ minimum: 1, maximum: 100_000 })),
  },
  { additionalProperties: false, minProperties: 1 },
);

export const SettingsUpdated = Type.Object({
  timeZone: Type.String(),
  minSample: Type.Integer(),
  rebuilt: Type.Union([
    Type.Object({
      responseCells: Type.Integer(),
      invitationCells: Type.Integer(),
      deliveredInvitations: Type.Integer(),
      timeZone: Type.String(),
      ms: Type.Number(),
    }),
    Type.Null(),
  ]),
});
