import type { Attributes, Context } from '@opentelemetry/api';
import type { ReadableSpan, Span, SpanProcessor } from '@opentelemetry/sdk-trace-base';
import { redactText, redactUrl } from './log-redaction';

/** Attributes that hold a request's path and query: a survey token, filter values. */
const URL_ATTRIBUTES = new Set(['url.path', 'url.full', 'url.query', 'http.target', 'http.url']);
/** Workflow and run ids (`member-<uuid>`): token-shaped, but what an operator looks up. */
const TEMPORAL_IDS = /(workflowId|runId|run_id)$/i;

function redactAttributes(attributes: Attributes): void {
  for (const [name, value] of Object.entries(attributes)) {
    if (typeof value !== 'string' || TEMPORAL_IDS.test(name)) continue;
    attributes[name] = URL_ATTRIBUTES.has(name) ? redactUrl(value) : redactText(value);
  }
}

/**
 * Spans leave the process under the same rule as log lines: no survey token, email address,
 * query value or bound query parameter (an exception's message can hold any of them). Redacts
 * every string attribute of a finished span and its events, then hands it on.
 */
export class RedactingSpanProcessor implements SpanProcessor {
  constructor(private readonly next: SpanProcessor) {}

  onStart(span: Span, parentContext: Context): void {
    this.next.onStart(span, parentContext);
  }

  onEnd(span: ReadableSpan): void {
    // A finished span is read-only by type only; the exporter reads these same objects later.
    redactAttributes(span.attributes as Attributes);
    for (const event of span.events) if (event.attributes) redactAttributes(event.attributes as Attributes);
    if (span.status.message) (span.status as { message?: string }).message = redactText(span.status.message);
    this.next.onEnd(span);
  }

  forceFlush(): Promise<void> {
    return this.next.forceFlush();
  }

  shutdown(): Promise<void> {
    return this.next.shutdown();
  }
}
