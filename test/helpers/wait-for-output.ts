import type { GatewayProcess } from './spawn-gateway-process.ts';

/**
 * Resolves with the match once everything `running` printed so far matches `pattern`, checked
 * again on each chunk it prints (never polled); rejects with the output when the process ends
 * without printing it. A pattern such as `/done[^]*done/` waits for a second occurrence.
 */
export function waitForOutput(running: Pick<GatewayProcess, 'child' | 'output'>, pattern: RegExp): Promise<RegExpExecArray> {
  const { child } = running;
  return new Promise((resolve, reject) => {
    const check = () => {
      const match = pattern.exec(running.output());
      if (match) {
        stop();
        resolve(match);
      }
      return match;
    };
    // 'close' comes after the last chunk of stdout and stderr.
    const closed = (code: number | null) => {
      if (check()) return;
      stop();
      reject(new Error(`the process ended (${code}) without printing ${pattern}:\n${running.output()}`));
    };
    const stop = () => {
      child.stdout.off('data', check);
      child.stderr.off('data', check);
      child.off('close', closed);
    };
    child.stdout.on('data', check);
    child.stderr.on('data', check);
    child.once('close', closed);
    if (!check() && child.stdout.readableEnded && child.stderr.readableEnded) closed(child.exitCode);
  });
}
