import { Controller, Get, Inject, UseGuards } from '@nestjs/common';
import { RUNTIME } from '../../node/runtime.token';
import type { NodeRuntime } from '../../node/node-runtime';
import { AdminAuthGuard } from '../auth/admin-auth.guard';

@Controller('admin/v1/status')
@UseGuards(AdminAuthGuard)
export class StatusController {
  constructor(@Inject(RUNTIME) private readonly runtime: NodeRuntime) {}

  @Get()
  async status() {
    const { dataDir, store, projector, config, role, replication } = this.runtime;
    const head = await store.head();
    const { slaves, upstream, onceOnly } = replication.status();
    return {
      clusterId: dataDir.identity.clusterId,
      nodeId: dataDir.identity.nodeId,
      nodeName: dataDir.identity.nodeName,
      role: role.role,
      fenced: role.fenced,
      epoch: role.epoch,
      master: role.master,
      storage: config.databaseUrl ? 'postgres' : 'sqlite',
      logHead: head,
      readModelPosition: projector.checkpoint,
      slaves: slaves.map((s) => ({ nodeId: s.nodeId, nodeName: s.nodeName, ackedPosition: s.ackedPosition, lagEvents: s.lagEvents, lagMs: s.lagMs, connectedAt: s.connectedAt })),
      replication: upstream ? {
        connected: upstream.connected, masterHead: upstream.masterHead, localHead: upstream.localHead,
        lagEvents: upstream.lagEvents, lagMs: upstream.lagMs, lastContactAt: upstream.lastContactAt, lastRefusal: upstream.lastRefusal,
        ...(onceOnly ? { onceOnly } : {}),
      } : null,
      // History this node once held past the point where it diverged from the master: kept, never replayed.
      setAside: await store.listSetAside(),
      // Security events raised here that the master has not appended yet (a promoted node appends its own).
      pendingSecurityEvents: await replication.pendingSecurityEvents(),
      // The publisher (it publishes only on the master) and, on a slave reading from Kafka, the follower.
      kafka: this.runtime.kafka ? { ...this.runtime.kafka.status(), following: role.role === 'slave' ? this.runtime.kafkaFollower?.status() ?? null : null } : null,
    };
  }
}
