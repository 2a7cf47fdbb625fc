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

export const sharedModules = [z];
