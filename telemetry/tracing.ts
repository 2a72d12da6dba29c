import type { ClientInterceptors } from '@temporalio/client';
import type { OpenTelemetrySinks } from '@temporalio/interceptors-opentelemetry';
import type { InjectedSinks, WorkerInterceptors } from '@temporalio/worker';
import type { FastifyPluginCallback } from 'fastify';
import type { Config } from '../config';

/**
 * OpenTelemetry traces, exported over OTLP/HTTP (JSON) when OTEL_EXPORTER_OTLP_ENDPOINT is set:
 * the HTTP request (@fastify/otel), the Temporal client's start / signal / update, the workflow
 * (workflows/tracing-interceptors.ts, bundled with the workflows) and its activities. Without
 * the variable nothing of OpenTelemetry is even loaded.
 */
export interface Tracing {
  /** The Temporal client's interceptors (API and worker processes). */
  clientInterceptors: ClientInterceptors;
  /** What a worker adds: the activity interceptors and the sink workflow spans leave through. */
  worker: { interceptors: WorkerInterceptors; sinks: InjectedSinks<OpenTelemetrySinks> };
  /** The Fastify instrumentation; registered before any route. */
  fastifyPlugin: FastifyPluginCallback;
  /** Exports what is still buffered and stops. */
  shutdown(): Promise<void>;
}

/** A worker's sink for workflow spans when this process does not trace: they are dropped. */
export const droppedWorkflowSpans: InjectedSinks<OpenTelemetrySinks> = {
  exporter: { export: { fn: () => undefined, callDuringReplay: false } },
};

/** Starts tracing for one process, or returns undefined when OTEL_EXPORTER_OTLP_ENDPOINT is unset. */
export async function startTracing(config: Config, defaultServiceName: string): Promise<Tracing | undefined> {
  const endpoint = config.telemetry.otlpEndpoint;
  if (!endpoint) return undefined;
  const [{ NodeTracerProvider }, { BatchSpanProcessor }, { Resource }, { OTLPTraceExporter }, temporalOtel, { default: FastifyOtel }, { RedactingSpanProcessor }] =
    await Promise.all([
      import('@opentelemetry/sdk-trace-node'),
      import('@opentelemetry/sdk-trace-base'),
      import('@opentelemetry/resources'),
      import('@opentelemetry/exporter-trace-otlp-http'),
      import('@temporalio/interceptors-opentelemetry'),
      import('@fastify/otel'),
      import('./redacting-processor'),
    ]);
  const resource = Resource.default().merge(new Resource({ 'service.name': config.telemetry.serviceName ?? defaultServiceName }));
  const processor = new RedactingSpanProcessor(new BatchSpanProcessor(new OTLPTraceExporter({ url: `${endpoint}/v1/traces` })));
  const provider = new NodeTracerProvider({ resource, spanProcessors: [processor] });
  // The global provider, W3C trace-context propagation and the AsyncLocalStorage context manager.
  provider.register();

  const fastifyOtel = new FastifyOtel({
    // Liveness and scrapes would drown the traces that matter.
    ignorePaths: (route) => ['/healthz', '/readyz', '/metrics'].includes(route.url ?? ''),
  });
  return {
    clientInterceptors: { workflow: [new temporalOtel.OpenTelemetryWorkflowClientInterceptor()] },
    worker: {
      interceptors: {
        activity: [
          (ctx) => ({
            inbound: new temporalOtel.OpenTelemetryActivityInboundInterceptor(ctx),
            outbound: new temporalOtel.OpenTelemetryActivityOutboundInterceptor(ctx),
          }),
        ],
      },
      sinks: { exporter: temporalOtel.makeWorkflowExporter(processor, resource) },
    },
    fastifyPlugin: fastifyOtel.plugin(),
    shutdown: () => provider.shutdown(),
  };
}
