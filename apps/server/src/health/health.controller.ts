import { Controller, Get, HttpStatus, Inject, Res } from '@nestjs/common';
import type { Response } from 'express';
import { RUNTIME } from '../node/runtime.token';
import type { NodeRuntime } from '../node/node-runtime';

// For load balancers: /healthz = the process answers; /readyz = storage reachable and the
// read model caught up with the log, so this node's answers are current.
@Controller()
export class HealthController {
  constructor(@Inject(RUNTIME) private readonly runtime: NodeRuntime) {}

  @Get('healthz')
  health() {
    return { status: 'ok' };
  }

  @Get('readyz')
  async ready(@Res({ passthrough: true }) res: Response) {
    try {
      const head = await this.runtime.store.head();
      const applied = this.runtime.projector.checkpoint;
      // On a slave the lag that matters is behind the master's head, not only behind its own log.
      const upstream = this.runtime.replication.status().upstream;
      const lag = Math.max(head.position - applied, upstream ? upstream.lagEvents : 0);
      const ready = lag <= this.runtime.config.replication.maxLagEvents;
      if (!ready) res.status(HttpStatus.SERVICE_UNAVAILABLE);
      return { status: ready ? 'ready' : 'not_ready', role: this.runtime.role.role, logHead: head.position, readModelPosition: applied, lagEvents: lag };
    } catch {
      res.status(HttpStatus.SERVICE_UNAVAILABLE);
      return { status: 'not_ready', reason: 'storage unreachable' };
    }
  }
}
