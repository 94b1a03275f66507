/**
 * A process's output as a reader sees it: each JSON log line (pino's `{"level":30,...,"msg":"..."}`,
 * which is what the gateway writes when stdout is not a terminal) replaced by its message, with
 * the newlines a message holds; other lines (plain command output) as they are. Tests match
 * gateway messages against this, whatever the log format.
 */
export function readableLog(output: string): string {
  return output
    .split('\n')
    .map((line) => messageOf(line) ?? line)
    .join('\n');
}

/** The `msg` of a pino JSON line, or undefined when the line is not one (or not complete yet). */
export function messageOf(line: string): string | undefined {
  if (!line.startsWith('{') || !line.endsWith('}')) return undefined;
  try {
    const parsed: unknown = JSON.parse(line);
    if (
      parsed &&
      typeof parsed === 'object' &&
      typeof (parsed as { level?: unknown }).level === 'number' &&
      typeof (parsed as { msg?: unknown }).msg === 'string'
    )
      return (parsed as { msg: string }).msg;
  } catch {
    // A line cut between two chunks: read whole once the rest arrives.
  }
  return undefined;
}
