import { EventEmitter } from 'node:events';

export type Role = 'master' | 'slave';

export interface MasterAddress { nodeId: string; nodeName: string; host: string; httpPort: number; replicationPort: number }

export class ReadOnlyReplicaError extends Error {
  readonly code = 'read_only_replica';
  constructor(message = 'this node is a read-only replica; writes go to the master') {
    super(message);
  }
}

// Who this node is in the cluster right now. Writes are allowed only on an unfenced master:
// a master that sees a higher epoch than its own stops accepting writes at once.
export class ClusterRole extends EventEmitter {
  private fencedBy: number | null = null;

  constructor(
    public role: Role,
    public epoch: number,
    public master: MasterAddress | null,
  ) {
    super();
  }

  get writable(): boolean {
    return this.role === 'master' && this.fencedBy === null;
  }

  get fenced(): boolean {
    return this.fencedBy !== null;
  }

  assertWritable = (): void => {
    if (this.fencedBy !== null) throw new ReadOnlyReplicaError(`this node was master until epoch ${this.epoch}; a newer master (epoch ${this.fencedBy}) exists, so it accepts no writes`);
    if (this.role !== 'master') throw new ReadOnlyReplicaError();
  };

  fence(epoch: number): void {
    if (epoch <= this.epoch || this.fencedBy !== null && this.fencedBy >= epoch) return;
    this.fencedBy = epoch;
    this.emit('fenced', epoch);
  }

  becomeMaster(epoch: number, self: MasterAddress): void {
    this.role = 'master';
    this.epoch = epoch;
    this.master = self;
    this.fencedBy = null;
    this.emit('changed');
  }

  becomeSlave(epoch: number, master: MasterAddress | null): void {
    this.role = 'slave';
    this.epoch = Math.max(this.epoch, epoch);
    this.master = master;
    this.fencedBy = null;
    this.emit('changed');
  }
}
