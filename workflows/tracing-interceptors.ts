// eslint-disable-next-line no-restricted-imports -- the OpenTelemetry API package, not npsflow's api/ folder
import type * as OtelApi from '@opentelemetry/api';
import type * as OtelWorkflow from '@temporalio/interceptors-opentelemetry/lib/workflow';
import type { Headers } from '@temporalio/common';
import type { WorkflowInterceptors } from '@temporalio/workflow';

/*
 * OpenTelemetry in workflow code (a workflow interceptor module, bundled with the workflows).
 * Two choices on top of the SDK's interceptors:
 *
 * - A workflow traces only what a traced caller started or signalled (the OpenTelemetry header
 *   is there): with tracing off in the API, workflows create no spans at all.
 * - What a traced signal sets off belongs to its trace: activities scheduled in the activation
 *   that handled it, and the activities scheduled when those complete, and so on. A member's
 *   workflow runs for weeks under the trace of its launch (or none); the activities its
 *   "completed" signal sets off (the status, the follow-up, the notices) then show in the trace
 *   of the submit that sent it, which is what an operator follows. Timers do not carry a cause:
 *   a reminder days later is not part of the request that happened to reset its timer.
 */

const TRACE_HEADER = '_tracer-data';

const hasTraceHeader = (headers: Headers): boolean => TRACE_HEADER in headers;

/**
 * OpenTelemetry's modules (about 1 MB of the bundle) load on a workflow's first traced call. A
 * worker that reuses its V8 context still initialises the bundle's modules once per workflow, so
 * loading them up front cost every member, traced or not, a large part of its CPU.
 */
function loadOpenTelemetry(): { api: typeof OtelApi; sdk: typeof OtelWorkflow } {
  /* eslint-disable @typescript-eslint/no-require-imports -- synchronous on purpose: the bundler includes them, only the first traced call runs them */
  return {
    api: require('@opentelemetry/api') as typeof OtelApi,
    sdk: require('@temporalio/interceptors-opentelemetry/lib/workflow') as typeof OtelWorkflow,
  };
  /* eslint-enable @typescript-eslint/no-require-imports */
}

export const interceptors = (): WorkflowInterceptors => {
  // Built on first use: their tracer provider and context manager cost nothing until then.
  let otel: typeof OtelApi | undefined;
  let sdk:
    | { inbound: OtelWorkflow.OpenTelemetryInboundInterceptor; outbound: OtelWorkflow.OpenTelemetryOutboundInterceptor; internals: OtelWorkflow.OpenTelemetryInternalsInterceptor }
    | undefined;
  const traced = () => {
    if (sdk) return sdk;
    const loaded = loadOpenTelemetry();
    otel = loaded.api;
    sdk = { inbound: new loaded.sdk.OpenTelemetryInboundInterceptor(), outbound: new loaded.sdk.OpenTelemetryOutboundInterceptor(), internals: new loaded.sdk.OpenTelemetryInternalsInterceptor() };
    return sdk;
  };
  const hasActiveSpan = (): boolean => otel !== undefined && otel.trace.getSpan(otel.context.active()) !== undefined;
  /** The context of the traced signal behind the current activation, if any. */
  let cause: OtelApi.Context | undefined;
  /** Activities scheduled under a cause, by sequence number, until they resolve. */
  const pending = new Map<string, OtelApi.Context>();
  const key = (local: boolean, seq: number) => `${local ? 'local' : 'remote'}:${seq}`;

  /** Runs an outbound call under the cause's context, or the current one when that is traced. */
  function outbound<T>(call: () => T, plain: () => T): T {
    if (cause) return otel!.context.with(cause, call);
    return sdk && hasActiveSpan() ? call() : plain();
  }
  function activity<T>(local: boolean, seq: number, call: () => T, plain: () => T): T {
    if (cause) pending.set(key(local, seq), cause);
    return outbound(call, plain);
  }

  return {
    inbound: [
      {
        execute: (input, next) => (hasTraceHeader(input.headers) ? traced().inbound.execute(input, next) : next(input)),
        handleSignal: (input, next) =>
          hasTraceHeader(input.headers)
            ? traced().inbound.handleSignal(input, (signal) => {
                cause = otel!.context.active();
                return next(signal);
              })
            : next(input),
        handleUpdate: (input, next) =>
          hasTraceHeader(input.headers)
            ? traced().inbound.handleUpdate(input, (update) => {
                cause = otel!.context.active();
                return next(update);
              })
            : next(input),
      },
    ],
    outbound: [
      {
        scheduleActivity: (input, next) => activity(false, input.seq, () => traced().outbound.scheduleActivity(input, next), () => next(input)),
        scheduleLocalActivity: (input, next) =>
          activity(true, input.seq, () => traced().outbound.scheduleLocalActivity(input, next), () => next(input)),
        startChildWorkflowExecution: (input, next) =>
          outbound(() => traced().outbound.startChildWorkflowExecution(input, next), () => next(input)),
        signalWorkflow: (input, next) => outbound(() => traced().outbound.signalWorkflow(input, next), () => next(input)),
        continueAsNew: (input, next) => outbound(() => traced().outbound.continueAsNew(input, next), () => next(input)),
        getLogAttributes: (input, next) => (sdk ? sdk.outbound.getLogAttributes(input, next) : next(input)),
      },
    ],
    internals: [
      {
        activate: (input, next) => {
          if (input.batchIndex === 0) cause = undefined;
          for (const job of input.activation.jobs ?? []) {
            const resolved = job.resolveActivity;
            if (!resolved) continue;
            const id = key(Boolean(resolved.isLocal), resolved.seq ?? -1);
            cause = pending.get(id) ?? cause;
            pending.delete(id);
          }
          next(input);
        },
        dispose: (input, next) => (sdk ? sdk.internals.dispose(input, next) : next(input)),
      },
    ],
  };
};
