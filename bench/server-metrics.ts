/**
 * Where the Temporal server's time goes during a benchmark: its own Prometheus counters of
 * persistence calls (SQLite on the dev server) per operation, read before and after a run.
 */
export interface OperationTotals {
  requests: number;
  /** Seconds spent in the persistence layer, summed over calls. */
  seconds: number;
}

export type ServerSnapshot = Map<string, OperationTotals>;

/** Label value of `name` in a Prometheus sample line, or undefined. */
function label(line: string, name: string): string | undefined {
  return new RegExp(`[{,]${name}="([^"]*)"`).exec(line)?.[1];
}

/** Persistence (and visibility persistence) requests and latency per operation, all services summed. */
export async function readServerMetrics(metricsUrl: string): Promise<ServerSnapshot> {
  const text = await fetch(metricsUrl).then((response) => response.text());
  const totals: ServerSnapshot = new Map();
  for (const line of text.split('\n')) {
    const metric = /^(persistence_requests|persistence_latency_sum|visibility_persistence_requests|visibility_persistence_latency_sum|service_requests)\{/.exec(line)?.[1];
    if (!metric) continue;
    const service = label(line, 'service_name');
    // RPCs the frontend answered (the SDKs' calls), beside the persistence calls they cause.
    if (metric === 'service_requests' && service !== 'frontend') continue;
    const prefix = metric === 'service_requests' ? 'rpc.' : metric.startsWith('visibility') ? 'visibility.' : '';
    const operation = `${prefix}${label(line, 'operation') ?? '?'}`;
    const value = Number(line.slice(line.lastIndexOf(' ') + 1));
    const entry = totals.get(operation) ?? { requests: 0, seconds: 0 };
    if (metric.endsWith('_sum')) entry.seconds += value;
    else entry.requests += value;
    totals.set(operation, entry);
  }
  return totals;
}

/** Lines "operation: n calls, t ms" per unit (member), busiest first, skipping rare operations. */
export function describePerUnit(before: ServerSnapshot, after: ServerSnapshot, units: number): string[] {
  const rows = [...after].map(([operation, totals]) => {
    const earlier = before.get(operation) ?? { requests: 0, seconds: 0 };
    return { operation, calls: (totals.requests - earlier.requests) / units, ms: ((totals.seconds - earlier.seconds) * 1000) / units };
  });
  const all = rows.filter((row) => !row.operation.startsWith('rpc.')).reduce((sum, row) => ({ calls: sum.calls + row.calls, ms: sum.ms + row.ms }), { calls: 0, ms: 0 });
  return [
    `all persistence: ${all.calls.toFixed(1)} calls, ${all.ms.toFixed(1)} ms per member`,
    ...rows
      .filter((row) => row.calls >= 0.05)
      .sort((a, b) => Number(a.operation.startsWith('rpc.')) - Number(b.operation.startsWith('rpc.')) || b.ms - a.ms || b.calls - a.calls)
      .map((row) => (row.operation.startsWith('rpc.') ? `${row.operation}: ${row.calls.toFixed(2)} calls` : `${row.operation}: ${row.calls.toFixed(2)} calls, ${row.ms.toFixed(2)} ms`)),
  ];
}
