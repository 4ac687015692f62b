import type { TLSSocket } from 'node:tls';
import { FrameParser } from '../protocol/frame-parser';
import type { Message } from '../protocol/messages';
import { serialize } from '../protocol/serializer';
import { ReplicationError } from '../replication-error';

export interface FrameSocketHandlers {
  onMessage(message: Message): void;
  // Once per socket, after it is gone. err: why we closed it (protocol error, idle...), if we did.
  onClose(err?: Error): void;
}

// A TLS socket speaking frames: parses what arrives, writes what is sent, reports a protocol
// error by closing only this socket. write() says whether the kernel buffer is full (wait for
// drained() before writing more).
export class FrameSocket {
  private readonly parser: FrameParser;
  private closed = false;
  private closeError?: Error;
  private drainWaiters: Array<() => void> = [];
  lastReceivedAt = Date.now();

  constructor(
    readonly socket: TLSSocket,
    private readonly handlers: FrameSocketHandlers,
    maxFrameBytes?: number,
  ) {
    this.parser = new FrameParser(maxFrameBytes);
    socket.on('data', (chunk: Buffer) => this.onData(chunk));
    socket.on('drain', () => this.releaseDrainWaiters());
    socket.on('error', (err) => {
      this.closeError ??= err;
    });
    socket.on('close', () => {
      this.closed = true;
      this.releaseDrainWaiters();
      this.handlers.onClose(this.closeError);
    });
  }

  get isClosed(): boolean {
    return this.closed || this.socket.destroyed;
  }

  // True while the socket's write buffer is above its high-water mark.
  get needsDrain(): boolean {
    return this.socket.writableNeedDrain;
  }

  get bufferedBytes(): number {
    return this.socket.writableLength;
  }

  send(message: Message): boolean {
    return this.write(serialize(message));
  }

  write(frame: Buffer): boolean {
    if (this.isClosed) return false;
    return this.socket.write(frame);
  }

  drained(): Promise<void> {
    if (this.isClosed || !this.socket.writableNeedDrain) return Promise.resolve();
    return new Promise((resolve) => this.drainWaiters.push(resolve));
  }

  // Flushes what was written (a refusal, say) and closes; destroys if the peer does not read.
  end(err?: Error): void {
    if (this.isClosed) return;
    this.closeError ??= err;
    this.socket.end();
    setTimeout(() => this.socket.destroy(), 2000).unref();
  }

  destroy(err?: Error): void {
    if (this.socket.destroyed) return;
    this.closeError ??= err;
    this.socket.destroy();
  }

  // Calls onSilent if nothing has arrived for limitMs, judged only once the event loop has read
  // what is waiting: after a stall of this process (load, a long GC) timers run before pending
  // socket data is read, and this process's own lateness is not the peer's silence.
  ifSilentFor(limitMs: number, onSilent: () => void): void {
    if (Date.now() - this.lastReceivedAt <= limitMs) return;
    setImmediate(() => {
      if (!this.isClosed && Date.now() - this.lastReceivedAt > limitMs) onSilent();
    });
  }

  private onData(chunk: Buffer): void {
    if (this.isClosed) return;
    this.lastReceivedAt = Date.now();
    let messages: Message[];
    try {
      messages = this.parser.push(chunk);
    } catch (err) {
      this.socket.pause();
      this.destroy(err instanceof ReplicationError ? err : new ReplicationError('protocol_error', String(err)));
      return;
    }
    for (const m of messages) {
      if (this.isClosed) return;
      this.handlers.onMessage(m);
    }
  }

  private releaseDrainWaiters(): void {
    const waiters = this.drainWaiters;
    this.drainWaiters = [];
    for (const w of waiters) w();
  }
}
