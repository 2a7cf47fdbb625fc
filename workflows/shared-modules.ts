// Modules every workflow run shares instead of evaluating its own copy (the worker's bundle lists this file in
// `preloadModules`). The SDK gives each new run fresh module state, and building zod again for every run was
// about 8 ms of the workflow thread's CPU a workflow — the largest part of opening a task in a deadline storm.
//
// Shared modules are evaluated once, before any workflow exists, and then deep-frozen. zod fills three
// module-level caches lazily on first use; a frozen cache would make the first parse in a workflow throw, so
// they are filled here, with exactly what zod would put there itself. Only zod is shared: the processes'
// own schemas and state stay per run.
import { z } from 'zod';

z.config({ ...z.locales.en(), memoizer: z.memoizer() });
void z.util.allowsEval.value;

// The SDK's promise hook captures and source-maps a stack trace for every promise a run creates, for the
// `__stack_trace` query; replaying a year of organization life makes over a thousand promises, and the traces were a
// quarter of the replay's CPU (a 267-event history: 320 ms against 245 ms without them). A secretary's record replays
// its year whenever the year has left the worker's cache, so the sandbox captures no frames: the query answers
// empty traces, and an error a workflow throws keeps its message and type without frames. Where a run waits is in
// its history and its task rows (docs/operations.md, "Reading a stuck run").
Error.stackTraceLimit = 0;

export const sharedModules = [z];
