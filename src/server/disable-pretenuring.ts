import { setFlagsFromString } from 'node:v8';

/** The V8 option, as `node` takes it on its command line. */
const pretenuring = '--allocation-site-pretenuring';

/**
 * Turns off V8's allocation-site pretenuring in a gateway process (`concierge start`, `dev` and
 * `npm start` call it before they serve), unless the command line turned it on explicitly
 * (`node --allocation-site-pretenuring`). An application that embeds the gateway with
 * `startGateway` keeps its own V8 options: it can start `node --no-allocation-site-pretenuring`.
 *
 * Why. V8 counts, for each object literal and array literal in the code, how many of the objects
 * it made survived a scavenge; past 85 %, it allocates that literal's objects in the old
 * generation from then on. Under load, a gateway's request objects live as long as the request
 * (tens of milliseconds at 50 connections, longer than the time between two scavenges) and spans
 * wait in the trace exporter's batch: their literals sit near that threshold. In some processes
 * and not others (the state is bistable, decided during warm-up), a few of them cross it; each
 * young object they then point to (strings, parsed answers, the request's result tree) survives
 * through the old generation's remembered set and is promoted. `npm run bench:gc` measured 4 to
 * 7 MB promoted at every scavenge and 0.5 to 1.5 ms of collector work a request in those
 * processes, against 0.1 to 0.3 MB without pretenuring (0 bad processes in 25 runs with it off,
 * 3 in 6 with it on, the day it was found). A request/response server has little to gain from
 * pretenuring: what it keeps for long (its schema, its plans, its pools) is built once at
 * start-up. The federation bench ran faster without it, at a lower peak RSS.
 *
 * Set at run time (`v8.setFlagsFromString`: V8 reads this one at each scavenge) because Node
 * refuses it in `NODE_OPTIONS`. Returns whether it turned pretenuring off.
 */
export function disablePretenuring(execArgv: readonly string[] = process.execArgv): boolean {
  if (execArgv.includes(pretenuring)) return false;
  setFlagsFromString(`--no-${pretenuring.slice(2)}`);
  return true;
}
