/**
 * The time limit of one upstream attempt, in the shape undici takes as a request's `signal` (an
 * object with `aborted`, `reason` and `addEventListener`/`removeEventListener` for `abort`).
 *
 * Not an `AbortController`: Node builds an `AbortSignal` as an `EventTarget`, with its listener
 * list, option parsing and a `DOMException` reason, and undici registers and removes a listener on
 * it for every call; the gateway makes six of those per order-history request and never aborts
 * one but on a timeout. This holds undici's one listener and a timer, cleared with {@link clear}
 * once the answer is read.
 */
export class CallDeadline {
  /** Whether the time ran out; undici reads it before it starts the request. */
  aborted = false;
  /** Left undefined: undici then fails the request with its own `RequestAbortedError`. */
  readonly reason: unknown = undefined;
  #listener: (() => void) | undefined;
  readonly #timer: NodeJS.Timeout;

  /** Starts the clock: `ms` milliseconds from now the call is aborted. */
  constructor(ms: number) {
    this.#timer = setTimeout(() => this.#expire(), ms);
  }

  /** undici's abort listener (it registers one per request). */
  addEventListener(type: string, listener: () => void): void {
    if (type === 'abort') this.#listener = listener;
  }

  removeEventListener(type: string, listener: () => void): void {
    if (type === 'abort' && this.#listener === listener) this.#listener = undefined;
  }

  /** Stops the clock: the call is over. */
  clear(): void {
    clearTimeout(this.#timer);
    this.#listener = undefined;
  }

  #expire(): void {
    this.aborted = true;
    const listener = this.#listener;
    this.#listener = undefined;
    listener?.();
  }
}
