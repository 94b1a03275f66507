/**
 * Child process: the six example services on free ports. Prints `{"urls":{"users":...,...}}` when
 * they listen. BENCH_LATENCY_MS adds a delay to every service answer (default 0).
 */
import { startExampleServices } from '../../examples/ecommerce/start-services.ts';
import { announceReady, stopWhenAsked } from './child-ready.ts';

const latencyMs = Number(process.env['BENCH_LATENCY_MS'] ?? 0);
const services = await startExampleServices({ basePort: 0, latencyMs: Number.isFinite(latencyMs) ? latencyMs : 0 });
stopWhenAsked('services', () => services.close());
announceReady({ urls: services.urls });
