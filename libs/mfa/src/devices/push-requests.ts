import { createHash } from 'node:crypto';
import { errorCodeOf, type SecurityOutcome } from '@twofold/domain';
import type { DeliveryMessage, DeliveryProvider, DeliveryReceipt } from '../delivery/delivery-provider';
import { openApprovalId } from '../engine/out-of-band-factor';
import type { StateSealer } from '../sealed-state/state-sealer';
import type { PushSender } from './push-sender';
import { KeyedWaiters } from '../engine/keyed-waiters';

export interface LocalPushRequest { approvalKey: string; approvalId: string; userId: string; requestedAt: string; expiresAt: number }

// Push sign-ins started on this node, kept until they expire: a device long-polling here learns of
// them at once, and still does while the master (which appends the cluster's record) is down.
export class PushRequestRegistry {
  private readonly byKey = new Map<string, LocalPushRequest>();
  private readonly listeners = new KeyedWaiters();

  constructor(private readonly clock: () => number = Date.now) {}

  add(request: LocalPushRequest): void {
    this.prune();
    if (this.byKey.size < 50_000) this.byKey.set(request.approvalKey, request);
    this.wake(request.userId);
  }

  // Started on this node and not expired yet.
  has(approvalKey: string): boolean {
    this.prune();
    return this.byKey.has(approvalKey);
  }

  forUser(userId: string): LocalPushRequest[] {
    this.prune();
    return [...this.byKey.values()].filter((r) => r.userId === userId);
  }

  // Wakes whoever waits for the user's requests (a local start, or one that arrived in the log).
  wake(userId: string): void {
    this.listeners.wake(userId);
  }

  // `registered` gets the waiter's release as soon as it is in place (before the caller looks).
  waitForUser(userId: string, timeoutMs: number, registered?: (release: () => void) => void): Promise<void> {
    return this.listeners.wait(userId, timeoutMs, registered);
  }

  close(): void {
    this.listeners.wakeAll();
  }

  private prune(): void {
    const now = this.clock();
    for (const [k, r] of this.byKey) if (r.expiresAt <= now) this.byKey.delete(k);
  }
}

export interface PushRequestDeliveryDeps {
  inner: DeliveryProvider;
  sealer: StateSealer;
  registry: PushRequestRegistry;
  // The node's sign-in recorder (the master appends; a slave sends it upstream).
  record(outcome: SecurityOutcome): Promise<unknown>;
  devicesOf(userId: string): Promise<Array<{ deviceId: string; pushAddress: string | null }>>;
  sender: PushSender;
  logger?: { warn(details: Record<string, unknown>, message: string): void };
  clock?: () => number;
}

// A hint that names the approval without being it (the id itself is never sent to a push service).
export function approvalHint(approvalKey: string): string {
  return createHash('sha256').update(approvalKey, 'utf8').digest('base64url').slice(0, 16);
}

// The push channel: the request is made known to the user's devices (recorded for the cluster,
// kept locally, and announced to devices that have a push address), then handed to the inner
// provider as before. SMS and voice pass straight through.
export class PushRequestDelivery implements DeliveryProvider {
  constructor(private readonly deps: PushRequestDeliveryDeps) {}

  async send(message: DeliveryMessage): Promise<DeliveryReceipt> {
    if (message.channel !== 'push' || !message.approvalId) return this.deps.inner.send(message);
    const { deps } = this;
    const now = deps.clock?.() ?? Date.now();
    const opened = openApprovalId(deps.sealer, message.approvalId, now);
    deps.registry.add({ approvalKey: opened.approvalKey, approvalId: message.approvalId, userId: message.userId, requestedAt: new Date(now).toISOString(), expiresAt: opened.expiresAt });
    try {
      await deps.record({ kind: 'push_requested', userId: message.userId, approvalKey: opened.approvalKey, approvalId: message.approvalId, source: opened.from ?? 'push' });
    } catch (error) {
      // Devices polling this node still see it (the registry); others learn of it when it is recorded.
      deps.logger?.warn({ userId: message.userId, code: errorCodeOf(error) ?? 'error' }, 'push request could not be recorded for the cluster');
    }
    void this.announce(message.userId, opened.approvalKey);
    return deps.inner.send(message);
  }

  private async announce(userId: string, approvalKey: string): Promise<void> {
    const devices = await this.deps.devicesOf(userId).catch(() => []);
    await Promise.all(devices.filter((d) => d.pushAddress).map((d) => this.deps.sender.notify(d.pushAddress!, { deviceId: d.deviceId, approvalHint: approvalHint(approvalKey) }).catch((error: Error) => {
      this.deps.logger?.warn({ userId, deviceId: d.deviceId, err: error.message }, 'push notice could not be sent');
    })));
  }
}
