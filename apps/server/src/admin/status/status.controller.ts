import { Inject } from '@nestjs/common';
import type { DataDirectory, TwofoldConfig } from '@twofold/platform';
import { DATA_DIR, KAFKA, NODE_CONFIG, type KafkaLinks } from '../../node/runtime.token';
import { NodeProgress } from '../../node/node-progress';
import { AdminController, AdminRoute } from '../auth/admin-route';

@AdminController('admin/v1/status')
export class StatusController {
  constructor(
    @Inject(NodeProgress) private readonly progress: NodeProgress,
    @Inject(DATA_DIR) private readonly dataDir: DataDirectory,
    @Inject(NODE_CONFIG) private readonly config: TwofoldConfig,
    @Inject(KAFKA) private readonly kafka: KafkaLinks,
  ) {}

  @AdminRoute('get')
  async status() {
    const { dataDir, config, progress } = this;
    const { kafka, kafkaFollower } = this.kafka;
    const { head, readModelPosition, replication, role } = await progress.read();
    const { slaves, upstream, onceOnly } = replication;
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
      readModelPosition,
      slaves: slaves.map((s) => ({ nodeId: s.nodeId, nodeName: s.nodeName, ackedPosition: s.ackedPosition, lagEvents: s.lagEvents, lagMs: s.lagMs, connectedAt: s.connectedAt })),
      replication: upstream ? {
        connected: upstream.connected, masterHead: upstream.masterHead, localHead: upstream.localHead,
        lagEvents: upstream.lagEvents, lagMs: upstream.lagMs, lastContactAt: upstream.lastContactAt, lastRefusal: upstream.lastRefusal,
        ...(onceOnly ? { onceOnly } : {}),
      } : null,
      setAside: await progress.setAside(),
      pendingSecurityEvents: await progress.pendingSecurityEvents(),
      // The publisher (it publishes only on the master) and, on a slave reading from Kafka, the follower.
      kafka: kafka ? { ...kafka.status(), following: role.role === 'slave' ? kafkaFollower?.status() ?? null : null } : null,
    };
  }
}
