// A cluster primary whose workers report listening, then crash: `runWorkers` must give up.
import cluster from 'node:cluster';
import { createGatewayLogger } from '../../src/observability/gateway-logger.ts';
import { runWorkers, type WorkerMessage } from '../../src/server/run-workers.ts';

if (cluster.isPrimary) {
  process.exitCode = await runWorkers({ workers: 2, logger: createGatewayLogger({ level: 'info', format: 'auto' }), maxCrashes: 3, crashWindow: 10_000 });
} else {
  const listening: WorkerMessage = { concierge: 'listening', url: 'http://127.0.0.1:1/graphql', sources: 0, inProcessState: [], drainTimeout: 0 };
  // Crashes as soon as the message is on its way: the primary reads it before it learns of the exit.
  process.send?.(listening, () => process.exit(7));
}
