import type { TypeOrmEventStore } from '@twofold/event-store';
import type { ReadModelProjector } from '@twofold/read-model';
import type { ReplicationCoordinator } from '../replication/replication-coordinator';
import type { ClusterRole } from '../cluster/cluster-role';

// How far this node is: its log, its read model, its replication links and its role. What the
// health probes, the metrics and the administrator's status report, read the same way for all three.
export class NodeProgress {
  constructor(
    private readonly store: Pick<TypeOrmEventStore, 'head' | 'listSetAside'>,
    private readonly projector: Pick<ReadModelProjector, 'checkpoint'>,
    private readonly replication: Pick<ReplicationCoordinator, 'status' | 'pendingSecurityEvents'>,
    private readonly cluster: Pick<ClusterRole, 'role' | 'epoch' | 'fenced' | 'master' | 'writable'>,
  ) {}

  async read() {
    const head = await this.store.head();
    const { role, epoch, fenced, master, writable } = this.cluster;
    return { head, readModelPosition: this.projector.checkpoint, replication: this.replication.status(), role: { role, epoch, fenced, master, writable } };
  }

  // History this node once held past the point where it diverged from the master: kept, never replayed.
  setAside() {
    return this.store.listSetAside();
  }

  // Security events raised here that the master has not appended yet (a promoted node appends its own).
  pendingSecurityEvents(): Promise<number> {
    return this.replication.pendingSecurityEvents();
  }
}
