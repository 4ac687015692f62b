// Long-polls waiting on a key (an approval, a user): wake(key) or the time-out releases them.
export class KeyedWaiters {
  private readonly waiters = new Map<string, Set<() => void>>();

  // `registered` runs once the waiter is in place (to re-check what may have changed meanwhile).
  wait(key: string, timeoutMs: number, registered?: (release: () => void) => void): Promise<void> {
    return new Promise((resolve) => {
      const set = this.waiters.get(key) ?? new Set<() => void>();
      const done = () => {
        clearTimeout(timer);
        set.delete(done);
        if (set.size === 0 && this.waiters.get(key) === set) this.waiters.delete(key);
        resolve();
      };
      const timer = setTimeout(done, Math.max(0, timeoutMs));
      set.add(done);
      this.waiters.set(key, set);
      registered?.(done);
    });
  }

  wake(key: string): void {
    for (const done of [...(this.waiters.get(key) ?? [])]) done();
  }

  wakeAll(): void {
    for (const key of [...this.waiters.keys()]) this.wake(key);
  }
}
