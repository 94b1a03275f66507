/**
 * CPU time used by processes, to see which one limits a scenario: the children's from
 * /proc/<pid>/stat (Linux; elsewhere nothing is reported), this process's from process.cpuUsage().
 */
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';

/** Milliseconds of CPU (user + system) per process name. */
export type CpuTimes = Record<string, number>;

let ticksPerSecond: number | undefined;

function clockTicks(): number {
  if (ticksPerSecond === undefined) {
    try {
      ticksPerSecond = Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).trim()) || 100;
    } catch {
      ticksPerSecond = 100;
    }
  }
  return ticksPerSecond;
}

/** CPU milliseconds of one process so far, or undefined without /proc. */
function processCpuMs(pid: number): number | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // Fields after the command name (which may hold spaces): state is field 3, utime 14, stime 15.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return ((Number(fields[11]) + Number(fields[12])) * 1000) / clockTicks();
  } catch {
    return undefined;
  }
}

/** CPU milliseconds so far of each named child and of this process (as "load generator"); null without /proc. */
export function readCpuTimes(pids: Record<string, number | undefined>): CpuTimes | null {
  const times: CpuTimes = {};
  for (const [name, pid] of Object.entries(pids)) {
    const ms = pid === undefined ? undefined : processCpuMs(pid);
    if (ms === undefined) return null;
    times[name] = ms;
  }
  const own = process.cpuUsage();
  times['load generator'] = (own.user + own.system) / 1000;
  return times;
}

/** CPU milliseconds each process spent between two readings. */
export function cpuBetween(before: CpuTimes | null, after: CpuTimes | null): CpuTimes | null {
  if (!before || !after) return null;
  return Object.fromEntries(Object.entries(after).map(([name, ms]) => [name, ms - (before[name] ?? 0)]));
}

/** CPU milliseconds per request of each process, from what each spent over `requests` requests. */
export function cpuPerRequest(spent: CpuTimes | null, requests: number): CpuTimes | null {
  if (!spent || requests <= 0) return null;
  return Object.fromEntries(Object.entries(spent).map(([name, ms]) => [name, Math.round((ms / requests) * 1000) / 1000]));
}
