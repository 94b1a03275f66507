import { readFileSync } from 'node:fs';
import { availableParallelism } from 'node:os';

/**
 * How many cores this process may use: the machine's (`availableParallelism`), capped by a cgroup
 * v2 CPU quota when there is one. In a container limited to 2 CPUs on a 64-core node, Node 20's
 * `availableParallelism()` still says 64; `cpu.max` (`"200000 100000"`: quota and period, in µs)
 * says 2. A quota of "max" or an unreadable file means no cap.
 */
export function usableCores(cpuMaxFile = '/sys/fs/cgroup/cpu.max'): number {
  const cores = availableParallelism();
  let text: string;
  try {
    text = readFileSync(cpuMaxFile, 'utf8');
  } catch {
    return cores;
  }
  const [quota, period] = text.trim().split(/\s+/).map(Number);
  if (!quota || !period || !Number.isFinite(quota) || !Number.isFinite(period)) return cores;
  return Math.max(1, Math.min(cores, Math.ceil(quota / period)));
}
