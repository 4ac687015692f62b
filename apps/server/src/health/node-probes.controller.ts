import { Controller, Get, Header, HttpStatus, Inject, Res } from '@nestjs/common';
import type { Response } from 'express';
import type { TwofoldConfig } from '@twofold/platform';
import { METRICS, NODE_CONFIG } from '../node/runtime.token';
import { NodeProgress } from '../node/node-progress';
import type { Metrics } from '../metrics/metrics';
import { recordNodeProgress } from '../metrics/node-progress-gauges';

// For load balancers and monitoring, with no credential: /healthz = the process answers;
// /readyz = storage reachable and the read model caught up with the log, so this node's answers
// are current; /metrics = the Prometheus text, with the progress gauges set at each scrape.
@Controller()
export class NodeProbesController {
  constructor(
    @Inject(NodeProgress) private readonly progress: NodeProgress,
    @Inject(NODE_CONFIG) private readonly config: TwofoldConfig,
    @Inject(METRICS) private readonly meters: Metrics,
  ) {}

  @Get('healthz')
  health() {
    return { status: 'ok' };
  }

  @Get('readyz')
  async ready(@Res({ passthrough: true }) res: Response) {
    try {
      const { head, readModelPosition: applied, replication, role } = await this.progress.read();
      // On a slave the lag that matters is behind the master's head, not only behind its own log.
      const upstream = replication.upstream;
      const lag = Math.max(head.position - applied, upstream ? upstream.lagEvents : 0);
      const ready = lag <= this.config.replication.maxLagEvents;
      if (!ready) res.status(HttpStatus.SERVICE_UNAVAILABLE);
      return { status: ready ? 'ready' : 'not_ready', role: role.role, logHead: head.position, readModelPosition: applied, lagEvents: lag };
    } catch {
      res.status(HttpStatus.SERVICE_UNAVAILABLE);
      return { status: 'not_ready', reason: 'storage unreachable' };
    }
  }

  @Get('metrics')
  @Header('Content-Type', 'text/plain; version=0.0.4')
  async metrics(): Promise<string> {
    recordNodeProgress(this.meters, await this.progress.read());
    return this.meters.registry.metrics();
  }
}
