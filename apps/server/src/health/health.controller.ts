import { Controller, Get, HttpStatus, Inject, Res } from '@nestjs/common';
import type { Response } from 'express';
import type { TwofoldConfig } from '@twofold/platform';
import { NODE_CONFIG } from '../node/runtime.token';
import { NodeProgress } from '../node/node-progress';
import { ClusterRole } from '../cluster/cluster-role';

// For load balancers: /healthz = the process answers; /readyz = storage reachable and the
// read model caught up with the log, so this node's answers are current.
@Controller()
export class HealthController {
  constructor(
    @Inject(NodeProgress) private readonly progress: NodeProgress,
    @Inject(ClusterRole) private readonly role: ClusterRole,
    @Inject(NODE_CONFIG) private readonly config: TwofoldConfig,
  ) {}

  @Get('healthz')
  health() {
    return { status: 'ok' };
  }

  @Get('readyz')
  async ready(@Res({ passthrough: true }) res: Response) {
    try {
      const { head, readModelPosition: applied, replication } = await this.progress.read();
      // On a slave the lag that matters is behind the master's head, not only behind its own log.
      const upstream = replication.upstream;
      const lag = Math.max(head.position - applied, upstream ? upstream.lagEvents : 0);
      const ready = lag <= this.config.replication.maxLagEvents;
      if (!ready) res.status(HttpStatus.SERVICE_UNAVAILABLE);
      return { status: ready ? 'ready' : 'not_ready', role: this.role.role, logHead: head.position, readModelPosition: applied, lagEvents: lag };
    } catch {
      res.status(HttpStatus.SERVICE_UNAVAILABLE);
      return { status: 'not_ready', reason: 'storage unreachable' };
    }
  }
}
