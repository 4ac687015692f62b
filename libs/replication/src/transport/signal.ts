// A wake-up flag for one waiting loop: notify() before wait() is not lost.
export class Signal {
  private pending = false;
  private waiter?: () => void;

  notify(): void {
    if (this.waiter) {
      const w = this.waiter;
      this.waiter = undefined;
      w();
    } else {
      this.pending = true;
    }
  }

  wait(timeoutMs?: number): Promise<void> {
    if (this.pending) {
      this.pending = false;
      return Promise.resolve();
    }
    return new Promise((resolve) => {
      let timer: NodeJS.Timeout | undefined;
      this.waiter = () => {
        if (timer) clearTimeout(timer);
        resolve();
      };
      if (timeoutMs !== undefined) {
        timer = setTimeout(() => {
          this.waiter = undefined;
          resolve();
        }, timeoutMs);
      }
    });
  }
}
