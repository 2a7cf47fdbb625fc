// What the API's answers share across resources, zod only: a refused row of an uploaded file. Each resource's own
// request and response schemas live with the resource (src/<resource>/schemas.ts); the web UI takes its types from
// them (`import type` + z.infer, type-checked by web/tsconfig.json).
import { z } from 'zod';

/** A refused cell of an uploaded file: its row (the header is row 1), its column and why. */
export const importRowErrorSchema = z.object({ row: z.number(), column: z.string(), message: z.string() });
