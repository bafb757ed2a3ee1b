// A cancellation that reaches every HTTP call made on behalf of one piece of work, without the
// connector code in between passing it along: the provisioning webhook runs each delivery in a
// scope whose signal fires when its answer budget runs out (or the server drains), and every
// request, retry wait and rate-limit wait inside it stops at once.
import { AsyncLocalStorage } from 'node:async_hooks';

interface CallScope {
  signal: AbortSignal;
}

const storage = new AsyncLocalStorage<CallScope>();

/** Runs `work` so that every HTTP call it makes is cancelled when `signal` fires. */
export function withCallScope<T>(signal: AbortSignal, work: () => Promise<T>): Promise<T> {
  return storage.run({ signal }, work);
}

/** The signal of the scope the caller runs in, if any. */
export function scopeSignal(): AbortSignal | undefined {
  return storage.getStore()?.signal;
}

/** `promise`, or a rejection with the signal's reason as soon as it fires. */
export function unlessAborted<T>(promise: Promise<T>, signal: AbortSignal | undefined): Promise<T> {
  if (!signal) return promise;
  if (signal.aborted) return Promise.reject(signal.reason);
  return new Promise<T>((resolve, reject) => {
    const onAbort = () => reject(signal.reason);
    signal.addEventListener('abort', onAbort, { once: true });
    promise.then(
      (v) => {
        signal.removeEventListener('abort', onAbort);
        resolve(v);
      },
      (e: unknown) => {
        signal.removeEventListener('abort', onAbort);
        reject(e);
      },
    );
  });
}
