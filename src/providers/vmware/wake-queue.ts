/** Items handed over by concurrent producers, taken in arrival order by one consumer that waits for them. */
export class WakeQueue<T> {
  private readonly queue: T[] = [];
  private wake: (() => void) | undefined;

  push(item: T): void {
    this.queue.push(item);
    this.wake?.();
  }

  /** Resolves once an item is waiting, `signal` aborts, or (when given) `ms` passed. */
  async wait(signal: AbortSignal, ms?: number): Promise<void> {
    if (this.queue.length > 0 || signal.aborted) return;
    await new Promise<void>((resolve) => {
      const timer = ms === undefined ? undefined : setTimeout(() => done(), ms);
      const done = (): void => {
        clearTimeout(timer);
        this.wake = undefined;
        signal.removeEventListener('abort', done);
        resolve();
      };
      this.wake = done;
      signal.addEventListener('abort', done, { once: true });
    });
  }

  /** Every waiting item, oldest first. */
  takeAll(): T[] {
    return this.queue.splice(0);
  }
}
