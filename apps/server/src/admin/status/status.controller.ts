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
    const { dataDir, store, projector, config } = this.runtime;
    const head = await store.head();
    return {
      clusterId: dataDir.identity.clusterId,
      nodeId: dataDir.identity.nodeId,
      nodeName: dataDir.identity.nodeName,
      role: 'master',
      epoch: 0,
      storage: config.databaseUrl ? 'postgres' : 'sqlite',
      logHead: head,
      readModelPosition: projector.checkpoint,
    };
  }
}
