import { writeFileSync } from "node:fs";

export interface BenchResult {
  name: string;
  value: number;
  unit: string;
  baseline: number | null;
  ratio: number | null;
  target: number | null;
  met: boolean | null;
  /** The target is a floor on the ratio (throughput), not a ceiling on the value (latency). */
  atLeast?: boolean;
  /** The target is a floor on the value itself (a rate that must be reached). */
  floor?: boolean;
}

/** One figure, rounded for reading; `ratio` is value ÷ baseline. */
export const result = (
  name: string,
  value: number,
  unit: string,
  baseline: number | null,
  target: number | null,
  met: boolean | null,
): BenchResult => ({
  name,
  value: Math.round(value * 100) / 100,
  unit,
  baseline: baseline === null ? null : Math.round(baseline * 100) / 100,
  ratio: baseline === null ? null : Math.round((value / baseline) * 1000) / 1000,
  target,
  met,
});

export function percentile(sorted: number[], p: number): number {
  if (sorted.length === 0) return Number.NaN;
  const i = Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1);
  return sorted[Math.max(0, i)]!;
}

export function writeResults(path: string, results: BenchResult[]): void {
  writeFileSync(path, `${JSON.stringify(results, null, 2)}\n`);
}
