import { Controller, Get, Header, Inject } from '@nestjs/common';
import { RUNTIME } from '../node/runtime.token';
import type { NodeRuntime } from '../node/node-runtime';

@Controller()
export class MetricsController {
  constructor(@Inject(RUNTIME) private readonly runtime: NodeRuntime) {}

  @Get('metrics')
  @Header('Content-Type', 'text/plain; version=0.0.4')
  async metrics(): Promise<string> {
    const { metrics, store, projector } = this.runtime;
    metrics.logHead.set((await store.head()).position);
    metrics.readModelPosition.set(projector.checkpoint);
    return metrics.registry.metrics();
  }
}
