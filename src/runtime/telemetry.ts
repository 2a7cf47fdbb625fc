// Traces of a person's action across the processes it crosses: the HTTP request (@fastify/otel), the Temporal
// client's Update, the workflow's handler and the activities it ran (Temporal's OpenTelemetry interceptors), sent
// over OTLP/HTTP to OTEL_EXPORTER_OTLP_TRACES_ENDPOINT (or OTEL_EXPORTER_OTLP_ENDPOINT + /v1/traces). With neither
// set, nothing here runs: no tracer provider, no interceptor, no instrumented hook, no workflow interceptor in the
// bundle (src/worker.ts), so an untraced deployment pays nothing for it.
//
// The OpenTelemetry SDK is the 1.x line (sdk-trace-base 1.30, OTLP exporter 0.57) because Temporal's interceptors
// (@temporalio/interceptors-opentelemetry 1.24) rebuild workflow spans as that line's ReadableSpan: a 2.x span
// processor would read those spans without their parents.
import { FastifyOtelInstrumentation } from '@fastify/otel';
import { context, isSpanContextValid, propagation, trace } from '@opentelemetry/api';
import { OTLPTraceExporter } from '@opentelemetry/exporter-trace-otlp-http';
import { Resource } from '@opentelemetry/resources';
import { BatchSpanProcessor, NodeTracerProvider } from '@opentelemetry/sdk-trace-node';
import type { ClientInterceptors } from '@temporalio/client';
import {
  makeWorkflowExporter,
  OpenTelemetryActivityInboundInterceptor,
  OpenTelemetryActivityOutboundInterceptor,
  OpenTelemetryWorkflowClientInterceptor,
  type OpenTelemetrySinks,
} from '@temporalio/interceptors-opentelemetry';
import type { ActivityInboundCallsInterceptor, ActivityInterceptorsFactory, ActivityOutboundCallsInterceptor, InjectedSinks } from '@temporalio/worker';
import type { FastifyPluginCallback } from 'fastify';
import type { Config } from '../config.js';

/** Where spans go: the traces endpoint as given, or the base endpoint with the signal's path (the OTLP spec's rule). */
export function tracesEndpoint(cfg: Pick<Config, 'OTEL_EXPORTER_OTLP_ENDPOINT' | 'OTEL_EXPORTER_OTLP_TRACES_ENDPOINT'>): string | undefined {
  if (cfg.OTEL_EXPORTER_OTLP_TRACES_ENDPOINT) return cfg.OTEL_EXPORTER_OTLP_TRACES_ENDPOINT;
  if (cfg.OTEL_EXPORTER_OTLP_ENDPOINT) return `${cfg.OTEL_EXPORTER_OTLP_ENDPOINT.replace(/\/+$/, '')}/v1/traces`;
  return undefined;
}

export interface Tracing {
  /** The API's request spans: registered before any hook or route (src/api/app.ts). */
  fastify: FastifyPluginCallback;
  /** The Temporal client's spans (start, Update, signal, query), whose context travels in the request's headers. */
  client: ClientInterceptors;
  /** The activities' spans, children of the workflow span that scheduled them. */
  activity: ActivityInterceptorsFactory[];
  /** Spans made inside workflow code leave the sandbox through this sink (workflows/interceptors.ts). */
  sinks: InjectedSinks<OpenTelemetrySinks>;
  /** Sends the spans still queued (a test reads them; a process stopping must not lose its last ones). */
  flush(): Promise<void>;
  /** Flushes, stops exporting and forgets the process-wide provider. */
  shutdown(): Promise<void>;
}

/** Request paths not traced: scrapes and probes every few seconds, and the web UI's static files. */
const untraced = ({ url }: { url?: string }) => !url?.startsWith('/api/');

/**
 * Starts exporting traces when an OTLP endpoint is configured; undefined (and nothing started) otherwise. `service`
 * names the process in the tracing backend (orglife-api, orglife-worker, orglife).
 */
export function startTracing(cfg: Config, service: string): Tracing | undefined {
  const url = tracesEndpoint(cfg);
  if (!url) return undefined;
  // Default resource (the SDK's name and version) plus the process's own name.
  const resource = Resource.default().merge(new Resource({ 'service.name': service }));
  const processor = new BatchSpanProcessor(new OTLPTraceExporter({ url }));
  const provider = new NodeTracerProvider({ resource, spanProcessors: [processor] });
  // The process-wide provider, AsyncLocalStorage context and W3C traceparent propagation: the interceptors and
  // @fastify/otel find their parent spans through these.
  provider.register();
  const fastifyOtel = new FastifyOtelInstrumentation({
    ignorePaths: untraced,
    // A span per hook (authentication, limits, headers, metrics) would be most of a trace; the request and its
    // handler are what an operator reads.
    instrumentHooks: false,
    // Named as the HTTP conventions name a server span: method and route template, never the URL with its ids.
    requestHook: (span, request) => span.updateName(`${request.method} ${request.routeOptions.url ?? request.url.split('?')[0]}`),
  });
  fastifyOtel.setTracerProvider(provider);
  return {
    fastify: fastifyOtel.plugin(),
    client: { workflow: [new OpenTelemetryWorkflowClientInterceptor()] },
    // In this order: the second runs inside the first's span.
    activity: [
      (ctx) => ({ inbound: new OpenTelemetryActivityInboundInterceptor(ctx), outbound: new OpenTelemetryActivityOutboundInterceptor(ctx) }),
      activityTraceInLog,
    ],
    sinks: { exporter: makeWorkflowExporter(processor, resource) },
    flush: () => provider.forceFlush(),
    async shutdown() {
      await provider.shutdown();
      trace.disable();
      context.disable();
      propagation.disable();
    },
  };
}

/**
 * The SDK writes its own lines about an activity ("Activity completed", "Activity failed" with the error) after the
 * activity's span has closed, where Temporal's interceptor finds no span to name: the ids of the span it ran in are
 * kept for them, so that the warning of a failed activity names the trace of the action that caused it.
 */
const activityTraceInLog: ActivityInterceptorsFactory = () => {
  let ran: ReturnType<typeof traceFields> = {};
  const inbound: ActivityInboundCallsInterceptor = {
    execute(input, next) {
      ran = traceFields();
      return next(input);
    },
  };
  const outbound: ActivityOutboundCallsInterceptor = {
    getLogAttributes: (input, next) => next(ran.trace_id && !('trace_id' in input) ? { ...ran, ...input } : input),
  };
  return { inbound, outbound };
};

/**
 * pino's mixin: the active span's trace and span ids on every line logged inside it, under the names Temporal's
 * interceptors give them in the SDK's own log lines, so that one search by trace_id finds the request's lines in
 * the API and its workflow's and activities' lines in the worker.
 */
export function traceFields(): { trace_id?: string; span_id?: string } {
  const span = trace.getSpan(context.active())?.spanContext();
  return span && isSpanContextValid(span) ? { trace_id: span.traceId, span_id: span.spanId } : {};
}
