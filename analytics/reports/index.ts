/** The NPS, satisfaction and response-rate reports, and the follow-up workload report. */
export type { Metrics } from './metrics';
export { kpiReport, type KpiReport } from './kpi';
export { trendReport, type TrendPoint, type TrendReport } from './trend';
export { breakdownReport, type BreakdownReport, type BreakdownRow } from './breakdown';
export { waveReport, type WaveReport, type WaveRow, type WaveSegment, type WaveSide } from './waves';
export { followUpTaskReport, type FollowUpFilter, type LoopFigures, type TaskLoadRow } from './follow-up-tasks';
