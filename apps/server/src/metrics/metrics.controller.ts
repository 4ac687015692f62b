import { Controller, Get, Header, Inject } from '@nestjs/common';
import { RUNTIME } from '../node/runtime.token';
import type { NodeRuntime } from '../node/node-runtime';

@Controller()
export class MetricsController {
  constructor(@Inject(RUNTIME) private readonly runtime: NodeRuntime) {}

  @Get('metrics')
  @Header('Content-Type', 'text/plain; version=0.0.4')
  async metrics(): Promise<string> {
    const { metrics, store, projector, role, replication } = this.runtime;
    metrics.logHead.set((await store.head()).position);
    metrics.readModelPosition.set(projector.checkpoint);
    metrics.epoch.set(role.epoch);
    metrics.isMaster.set(role.writable ? 1 : 0);
    const { slaves, upstream, onceOnly } = replication.status();
    metrics.unconfirmedPending.set(onceOnly?.acceptedUnconfirmed ?? 0);
    metrics.slaveLagEvents.reset();
    metrics.slaveLagMs.reset();
    for (const s of slaves) {
      metrics.slaveLagEvents.set({ slave: s.nodeName }, s.lagEvents);
      metrics.slaveLagMs.set({ slave: s.nodeName }, s.lagMs);
    }
    metrics.upstreamLagEvents.set(upstream?.lagEvents ?? 0);
    metrics.upstreamConnected.set(upstream?.connected ? 1 : 0);
    return metrics.registry.metrics();
  }
}
