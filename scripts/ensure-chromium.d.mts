export const CHROMIUM: string;
export function ensureChromium(log?: (m: string) => void): { path: string } | { skipped: string };
