// The workflow side of Temporal's OpenTelemetry interceptors, in the bundle of a worker that exports traces
// (src/worker.ts `tracedWorkflowBundleOptions`): a span for each Update, signal and query a run handles and for each
// activity and timer it starts, children of the caller's span from the headers, and the activities' headers
// carrying them on. The spans leave the sandbox through the worker's `exporter` sink (src/runtime/telemetry.ts).
// They change no command: replay-affecting behaviour of older versions of these interceptors is gated by SDK flags.
export { interceptors } from '@temporalio/interceptors-opentelemetry/lib/workflow-interceptors.js';
