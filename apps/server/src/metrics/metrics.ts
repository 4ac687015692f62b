import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';

// One registry per node process; every transport records into it.
export function createMetrics() {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry, prefix: 'twofold_process_' });
  return {
    registry,
    httpRequests: new Counter({ name: 'twofold_http_requests_total', help: 'HTTP requests by route class and status', labelNames: ['area', 'status'] as const, registers: [registry] }),
    httpDuration: new Histogram({ name: 'twofold_http_request_seconds', help: 'HTTP request duration', labelNames: ['area'] as const, buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5], registers: [registry] }),
    logHead: new Gauge({ name: 'twofold_log_head_position', help: 'Position of the last event in this node\'s log', registers: [registry] }),
    readModelPosition: new Gauge({ name: 'twofold_read_model_position', help: 'Last log position applied to the read model', registers: [registry] }),
    eventsAppended: new Counter({ name: 'twofold_events_appended_total', help: 'Events appended through this node', registers: [registry] }),
    epoch: new Gauge({ name: 'twofold_cluster_epoch', help: 'Cluster epoch this node knows', registers: [registry] }),
    isMaster: new Gauge({ name: 'twofold_cluster_is_master', help: '1 on a writable master, 0 otherwise', registers: [registry] }),
    slaveLagEvents: new Gauge({ name: 'twofold_replication_slave_lag_events', help: 'On the master: events each slave is behind', labelNames: ['slave'] as const, registers: [registry] }),
    slaveLagMs: new Gauge({ name: 'twofold_replication_slave_lag_ms', help: 'On the master: how long each slave has been behind', labelNames: ['slave'] as const, registers: [registry] }),
    upstreamLagEvents: new Gauge({ name: 'twofold_replication_lag_events', help: 'On a slave: events behind the master', registers: [registry] }),
    unconfirmedAccepts: new Counter({
      name: 'twofold_replication_unconfirmed_accepts_total', help: 'On a slave: one-time codes/challenges accepted without the master\'s verdict (master unreachable or too slow)', registers: [registry],
    }),
    unconfirmedPending: new Gauge({ name: 'twofold_replication_unconfirmed_accepts', help: 'On a slave: accepted-unconfirmed codes the master has not reconciled yet', registers: [registry] }),
    refusedAfterAccept: new Counter({
      name: 'twofold_replication_refused_after_accept_total', help: 'On a slave: codes accepted unconfirmed that the master later refused (used on another node first)', registers: [registry],
    }),
    upstreamConnected: new Gauge({ name: 'twofold_replication_connected', help: 'On a slave: 1 while connected to the master', registers: [registry] }),
    radiusRequests: new Counter({ name: 'twofold_radius_requests_total', help: 'RADIUS packets by outcome', labelNames: ['outcome'] as const, registers: [registry] }),
    radiusRateLimited: new Counter({
      name: 'twofold_radius_rate_limited_total', help: 'RADIUS Access-Requests refused by a rate limit: client, global (failed guesses) or user_sends (SMS/voice/push per user)',
      labelNames: ['limit'] as const, registers: [registry],
    }),
    secondFactorWaived: new Counter({
      name: 'twofold_second_factor_waived_total', help: 'Sign-ins let through without a second factor (staged rollout): not_enrolled (first-factor-only client) or bypass',
      labelNames: ['reason'] as const, registers: [registry],
    }),
  };
}

export type Metrics = ReturnType<typeof createMetrics>;
