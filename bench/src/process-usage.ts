import { readFileSync } from "node:fs";

/** A process's use of the machine, from Linux's /proc: what the benchmarks report beside their figures. */

/** Clock ticks a second in /proc (USER_HZ: 100 on every Linux that Node runs on). */
const TICKS = 100;

/**
 * CPU seconds a process has used so far (user and system); undefined elsewhere or once it is gone. The fields
 * after the command name (which may hold spaces) are counted from its closing bracket.
 */
export function cpuSeconds(pid: number | undefined): number | undefined {
  if (pid === undefined) return undefined;
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
    const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
    // utime and stime are the 14th and 15th fields of the whole line: the 12th and 13th after the name.
    return (Number(fields[11]) + Number(fields[12])) / TICKS;
  } catch {
    return undefined;
  }
}

/** A process's resident memory now and at its peak, in MiB. */
export function memoryMb(pid: number): { rss: number; peak: number } {
  const status = readFileSync(`/proc/${pid}/status`, "utf8");
  const kb = (field: string) => Number(new RegExp(`${field}:\\s+(\\d+) kB`).exec(status)?.[1] ?? Number.NaN);
  return { rss: kb("VmRSS") / 1024, peak: kb("VmHWM") / 1024 };
}
