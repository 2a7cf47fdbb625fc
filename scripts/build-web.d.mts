export function webIsStale(): boolean;
export function buildWebIfStale(log?: (m: string) => void): boolean;
