// A progress bar on stderr: redrawn in place on a terminal; plain lines at each tenth otherwise,
// so logs of scripted runs stay readable. stdout is left to the command's real output.
export class Progress {
  private done = 0;
  private lastDraw = 0;
  private lastTenth = -1;
  private readonly started = Date.now();
  private readonly tty: boolean;

  constructor(
    private readonly label: string,
    private total: number,
    private readonly stream: NodeJS.WriteStream = process.stderr,
    private readonly quiet = false,
  ) {
    this.tty = Boolean(stream.isTTY);
  }

  get elapsedMs(): number {
    return Date.now() - this.started;
  }

  setTotal(total: number): void {
    this.total = total;
  }

  tick(n = 1): void {
    this.update(this.done + n);
  }

  update(done: number): void {
    this.done = done;
    if (this.quiet) return;
    if (this.tty) {
      const now = Date.now();
      if (now - this.lastDraw < 100 && done < this.total) return;
      this.lastDraw = now;
      this.stream.write(`\r${this.render()}`);
      return;
    }
    const tenth = this.total > 0 ? Math.floor((10 * Math.min(done, this.total)) / this.total) : 10;
    if (tenth > this.lastTenth && tenth > 0) {
      this.lastTenth = tenth;
      this.stream.write(`${this.label}: ${done}/${this.total} (${tenth * 10}%)\n`);
    }
  }

  finish(): void {
    if (this.quiet) return;
    if (this.tty) this.stream.write(`\r${this.render()}\n`);
    else if (this.lastTenth < 10) this.stream.write(`${this.label}: ${this.done}/${this.total} (100%)\n`);
  }

  // Ends the bar where it stands (the work stopped early): no "100%" claim.
  abandon(): void {
    if (!this.quiet && this.tty) this.stream.write('\n');
  }

  private render(): string {
    const width = 30;
    const ratio = this.total > 0 ? Math.min(1, this.done / this.total) : 1;
    const filled = Math.round(ratio * width);
    const rate = rateText(this.done, this.elapsedMs);
    return `${this.label} [${'#'.repeat(filled)}${'.'.repeat(width - filled)}] ${String(Math.floor(ratio * 100)).padStart(3)}% ${this.done}/${this.total} ${rate}/s`;
  }
}

export function rateText(count: number, elapsedMs: number): string {
  const perSecond = count / Math.max(elapsedMs / 1000, 0.001);
  return perSecond >= 100 ? Math.round(perSecond).toLocaleString('en-US') : perSecond.toFixed(1);
}
