import { SdkApiError, TwofoldSdkClient } from '@twofold/sdk-client';

// The portal's only way to the servers: one SDK client per configured URL. A call goes to the
// node that answered last; a connection failure or a node that is not ready moves on to the next
// URL. Any node continues any handle, so retrying elsewhere is safe for reads and sign-ins.
export class SdkPool {
  private readonly clients: TwofoldSdkClient[];
  private current = 0;

  constructor(private readonly urls: string[], opts: { ca?: string; token: string; timeoutMs: number }, private readonly onFailover?: (from: string, reason: string) => void) {
    this.clients = urls.map((baseUrl) => new TwofoldSdkClient({ baseUrl, ...(opts.ca ? { ca: opts.ca } : {}), token: opts.token, timeoutMs: opts.timeoutMs, maxSockets: 64 }));
  }

  // heldByOneNode: a write that, while the master is down, only the node holding it can take (a
  // device's push answer): a 503 master_unavailable wrote nothing, so the next URL is tried.
  async call<T>(fn: (client: TwofoldSdkClient) => Promise<T>, opts: { write?: boolean; heldByOneNode?: boolean } = {}): Promise<T> {
    let last: unknown;
    for (let i = 0; i < this.clients.length; i++) {
      const index = (this.current + i) % this.clients.length;
      try {
        const result = await fn(this.clients[index]);
        this.current = index;
        return result;
      } catch (err) {
        last = err;
        if (!retryElsewhere(err, opts.write === true) && !(opts.heldByOneNode && masterUnavailable(err))) throw err;
        this.onFailover?.(this.urls[index], err instanceof SdkApiError ? err.code : 'unreachable');
      }
    }
    throw last;
  }

  close(): void {
    for (const c of this.clients) c.close();
  }
}

function masterUnavailable(err: unknown): boolean {
  return err instanceof SdkApiError && err.status === 503 && err.code === 'master_unavailable';
}

// A write that reached a node may have been applied: only a refused connection is retried. A read
// or a sign-in step also moves on when the node says it is not ready.
function retryElsewhere(err: unknown, write: boolean): boolean {
  if (err instanceof SdkApiError) return !write && err.status === 503 && (err.code === 'not_ready' || err.code === 'read_model_timeout');
  const code = (err as NodeJS.ErrnoException).code;
  if (write) return code === 'ECONNREFUSED' || code === 'EHOSTUNREACH';
  return true;
}
