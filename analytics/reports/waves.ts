import { sql } from 'drizzle-orm';
import type { Database } from '../../db';
import {
  addScoreCounts,
  compareNps,
  computeNps,
  computeResponseRate,
  computeSatisfaction,
  emptyScoreCounts,
  type InvitationCounts,
  type NpsChange,
  type NpsResult,
  type ResponseRateResult,
  type SatisfactionResult,
  type ScoreCounts,
} from '../../domain/nps-statistics';
import { invitationCounts, rowsOf, type Dimension } from '../counts';
import { AnalyticsInputError } from '../input-error';
import type { DateRange } from '../periods';
import { scoreCountColumns } from '../score-columns';
import { getSettings } from '../settings';
import { labelsFor } from './labels';

export type WaveSegment = Dimension | 'none';

export interface WaveSide {
  responses: number;
  nps: NpsResult;
  satisfaction: SatisfactionResult;
}

export interface WaveRow {
  key: string | null;
  label: string;
  current: WaveSide;
  previous: WaveSide;
  change: NpsChange;
}

export interface WaveReport {
  campaign: { id: string; name: string; surveyId: string; responseRate: ResponseRateResult };
  previousCampaign: { id: string; name: string; surveyId: string; responseRate: ResponseRateResult };
  segment: WaveSegment;
  total: WaveRow;
  segments: WaveRow[];
}

const SEGMENT_COLUMN: Record<Dimension, string> = {
  survey: 'survey_id',
  campaign: 'campaign_id',
  channel: 'channel',
  request_type: 'request_type',
  client: 'client_id',
  employee: 'frontline_employee_id',
};

const ALL_DAYS: DateRange = { from: '1900-01-01', to: '2999-12-31' };

/**
 * Recurring relational NPS: one wave of a campaign against the wave it repeats
 * (campaigns.previous_campaign_id, or the one given), per segment.
 */
export async function waveReport(
  db: Database,
  campaignId: string,
  options: { previousCampaignId?: string; segment?: WaveSegment },
): Promise<WaveReport> {
  const settings = await getSettings(db);
  const segment = options.segment ?? 'none';
  const campaigns = rowsOf<{ id: string; name: string; surveyId: string; previousCampaignId: string | null }>(
    await db.execute(sql`
      select id::text as id, name, survey_id::text as "surveyId", previous_campaign_id::text as "previousCampaignId"
      from campaigns where id::text in (${campaignId}, ${options.previousCampaignId ?? campaignId})`),
  );
  const campaign = campaigns.find((c) => c.id === campaignId);
  if (!campaign) throw new AnalyticsInputError('campaign not found', 'not_found');
  const previousId = options.previousCampaignId ?? campaign.previousCampaignId;
  if (!previousId) throw new AnalyticsInputError('the campaign has no previous wave (previousCampaignId)', 'conflict');
  const previous =
    campaigns.find((c) => c.id === previousId) ??
    rowsOf<{ id: string; name: string; surveyId: string }>(
      await db.execute(sql`select id::text as id, name, survey_id::text as "surveyId" from campaigns where id::text = ${previousId}`),
    )[0];
  if (!previous) throw new AnalyticsInputError('previous campaign not found', 'not_found');
  if (previous.surveyId !== campaign.surveyId) {
    throw new AnalyticsInputError('the two waves ask different surveys; compare waves of the same survey', 'conflict');
  }

  const group = segment === 'none' ? sql`''` : sql`coalesce(r.${sql.identifier(SEGMENT_COLUMN[segment])}::text, '')`;
  const rows = rowsOf<ScoreCounts & { campaignId: string; group: string }>(
    await db.execute(sql`
      select r.campaign_id::text as "campaignId", ${group} as "group", ${scoreCountColumns('r')}
      from responses r
      where r.campaign_id in (${campaign.id}::uuid, ${previous.id}::uuid)
      group by 1, 2`),
  );
  const byGroup = new Map<string, { current: ScoreCounts; previous: ScoreCounts }>();
  for (const { campaignId: rowCampaign, group: key, ...counts } of rows) {
    const entry = byGroup.get(key) ?? { current: emptyScoreCounts(), previous: emptyScoreCounts() };
    entry[rowCampaign === campaign.id ? 'current' : 'previous'] = { ...emptyScoreCounts(), ...counts };
    byGroup.set(key, entry);
  }
  const side = (counts: ScoreCounts): WaveSide => ({
    responses: counts.responses,
    nps: computeNps(counts, settings.minSample),
    satisfaction: computeSatisfaction(counts),
  });
  const row = (key: string, label: string, counts: { current: ScoreCounts; previous: ScoreCounts }): WaveRow => {
    const current = side(counts.current);
    const before = side(counts.previous);
    return { key: key === '' ? null : key, label, current, previous: before, change: compareNps(current.nps, before.nps) };
  };
  let total = { current: emptyScoreCounts(), previous: emptyScoreCounts() };
  for (const counts of byGroup.values()) {
    total = { current: addScoreCounts(total.current, counts.current), previous: addScoreCounts(total.previous, counts.previous) };
  }
  const labels = segment === 'none' ? new Map<string, string>() : await labelsFor(db, segment, [...byGroup.keys()]);
  const segments =
    segment === 'none'
      ? []
      : [...byGroup.entries()]
          .map(([key, counts]) => row(key, key === '' ? '(none)' : labels.get(key) ?? key, counts))
          .sort((a, b) => b.current.nps.n + b.previous.nps.n - (a.current.nps.n + a.previous.nps.n) || a.label.localeCompare(b.label));

  const [currentInvitations, previousInvitations] = await Promise.all(
    [campaign.id, previous.id].map((id) =>
      invitationCounts(db, settings.timeZone, { campaignId: id }, ALL_DAYS, { kind: 'none' }).then((groups) => groups?.get('')),
    ),
  );
  const rate = (counts: InvitationCounts | undefined) => computeResponseRate(counts ?? { invited: 0, delivered: 0, completed: 0 });
  return {
    campaign: { id: campaign.id, name: campaign.name, surveyId: campaign.surveyId, responseRate: rate(currentInvitations) },
    previousCampaign: { id: previous.id, name: previous.name, surveyId: previous.surveyId, responseRate: rate(previousInvitations) },
    segment,
    total: row('', 'total', total),
    segments,
  };
}
