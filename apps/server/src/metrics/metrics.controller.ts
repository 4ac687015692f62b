import { Controller, Get, Header, Inject } from '@nestjs/common';
import { METRICS } from '../node/runtime.token';
import { NodeProgress } from '../node/node-progress';
import { ClusterRole } from '../cluster/cluster-role';
import type { Metrics } from './metrics';

@Controller()
export class MetricsController {
  constructor(
    @Inject(METRICS) private readonly meters: Metrics,
    @Inject(NodeProgress) private readonly progress: NodeProgress,
    @Inject(ClusterRole) private readonly role: ClusterRole,
  ) {}

  @Get('metrics')
  @Header('Content-Type', 'text/plain; version=0.0.4')
  async metrics(): Promise<string> {
    const { meters: metrics, role } = this;
    const { head, readModelPosition, replication } = await this.progress.read();
    metrics.logHead.set(head.position);
    metrics.readModelPosition.set(readModelPosition);
    metrics.epoch.set(role.epoch);
    metrics.isMaster.set(role.writable ? 1 : 0);
    const { slaves, upstream, onceOnly } = replication;
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
