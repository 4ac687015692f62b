import type { NodeProgress } from '../node/node-progress';
import type { Metrics } from './metrics';

// Apart from metrics.ts, which the node's services import: the progress reading names the
// replication coordinator, and that one needs the node's services (an import circle otherwise).
// The gauges that describe where this node is, set from one progress reading when scraped.
export function recordNodeProgress(metrics: Metrics, progress: Awaited<ReturnType<NodeProgress['read']>>): void {
  const { head, readModelPosition, replication, role } = progress;
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
}
