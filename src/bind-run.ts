/**
 * `fn` with its first argument bound to `run`: what per-request code hands out instead of a closure
 * over per-request state (a hook's "done" callback, a setter, a stop test).
 *
 * Why: such closures, made for every request and returned or stored for later, made V8 keep request
 * objects through young-generation collections. Under the example shop's load the gateway then
 * promoted 4 to 6 MB to the old generation at every scavenge (the hand-written aggregator 0.1 MB)
 * and spent 0.5 to 1.3 ms a request in the scavenger's helper threads; sometimes from the start,
 * sometimes only after a while. Bound functions over a small state object did not (`npm run
 * bench:gc` shows it). A 20-line script reproduces it on Node 20: storing `() => payload` on an
 * object made per iteration promotes what the iteration keeps alive; storing a bound function does not.
 * So does an object spread into a literal that then takes more properties (`{ ...outer, extra }`);
 * `Object.assign({}, outer)` and objects built field by field do not.
 */
export function bindRun<R, A extends unknown[], T>(fn: (run: R, ...args: A) => T, run: R): (...args: A) => T {
  return fn.bind(undefined, run);
}
