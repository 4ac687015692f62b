import type { Subscription } from '@twofold/event-store';
import { AuthenticationEngine, RateLimiter } from '@twofold/mfa';
import { engineAccessHandler, failureLimitedAccessHandler, RadiusServer, RadiusServerOutcome } from '@twofold/radius';
import { endLogger, type TwofoldConfig } from '@twofold/platform';
import type { NodeRuntime } from '../node/node-runtime';
import type { AuthenticationService } from '../node/authentication';
import { RadiusClientRegistry, RegisteredClient } from './radius-client-registry';

export interface RadiusService {
  ports: { auth: number; acct: number | null };
  engine: AuthenticationEngine;
  close(): Promise<void>;
}

const DROPS = new Set<RadiusServerOutcome>([
  'malformed', 'unknown_client', 'unexpected_code', 'missing_message_authenticator', 'bad_authenticator', 'overloaded', 'duplicate_in_progress', 'send_error',
]);

// The RADIUS side of a node: the node's engine behind a UDP transport, and a log subscription
// that brings RADIUS client changes from any node.
export async function startRadius(runtime: NodeRuntime, authentication: Pick<AuthenticationService, 'engine' | 'passwordVerifier'>): Promise<RadiusService | undefined> {
  const { config, logger, keys, queries, store, metrics } = runtime;
  if (!config.radius.enabled) return undefined;
  const log = logger.child({ component: 'radius' });
  const { keyring } = keys;
  const { engine, passwordVerifier: hasher } = authentication;
  const registry = new RadiusClientRegistry({ queries, sealer: keyring, hasher, logger: log });

  // Dropped packets are counted one by one but logged as a summary, so a flood cannot flood the log.
  const dropped = new Map<string, number>();
  const flushDrops = () => {
    if (dropped.size === 0) return;
    log.warn({ dropped: Object.fromEntries(dropped) }, 'dropped RADIUS packets');
    dropped.clear();
  };
  const dropTimer = setInterval(flushDrops, 10_000);
  dropTimer.unref();

  const server = new RadiusServer<RegisteredClient>({
    bindAddress: config.radius.bindAddress,
    authPort: config.radius.authPort,
    acctPort: config.radius.acctPort,
    clients: registry,
    access: radiusAccess(config.radius, engine),
    duplicateWindowMs: config.radius.duplicateWindowMs,
    inProgressTtlMs: Math.max(config.radius.outOfBandTimeoutMs + 5000, 30_000),
    maxInFlight: config.radius.maxInFlight,
    onOutcome: (outcome, d) => {
      metrics.radiusRequests.inc({ outcome });
      if (d.reason?.startsWith('rate_limited_')) metrics.radiusRateLimited.inc({ limit: d.reason.slice('rate_limited_'.length) });
      if (DROPS.has(outcome)) {
        dropped.set(outcome, (dropped.get(outcome) ?? 0) + 1);
        log.debug({ outcome, address: d.address, clientId: d.clientId, reason: d.reason }, 'RADIUS packet dropped');
      } else if (outcome !== 'status_server' && outcome !== 'accounting') {
        log.info({ outcome, clientId: d.clientId, address: d.address, userId: d.userId, reason: d.reason, ms: d.ms }, 'RADIUS request answered');
      }
    },
  });

  // Client changes written by any node reach this one through its log.
  const head = await store.head();
  const subscription: Subscription = store.subscribe(head.position, (event) => {
    if (event.type.startsWith('RadiusClient')) registry.invalidate();
  });

  try {
    await registry.reload();
    await server.start();
  } catch (error) {
    subscription.close();
    clearInterval(dropTimer);
    throw error;
  }
  log.info({ auth: server.ports.auth, acct: server.ports.acct, bind: config.radius.bindAddress, clients: registry.size }, 'RADIUS listening');
  return {
    ports: server.ports,
    engine,
    async close() {
      subscription.close();
      await server.close();
      clearInterval(dropTimer);
      flushDrops();
    },
  };
}

// The engine behind the failure-rate limits (per client, per node), with a per-user limit on
// SMS/voice/push sends: the SDK's token buckets, with RADIUS's own settings.
function radiusAccess(settings: TwofoldConfig['radius'], engine: AuthenticationEngine) {
  const bucket = (burst: number, perMinute: number) => new RateLimiter({ burst, perSecond: perMinute / 60 });
  const sends = bucket(settings.userSendBurst, settings.userSendsPerMinute);
  return failureLimitedAccessHandler<RegisteredClient>(engineAccessHandler(engine, Date.now, (userId) => sends.take(userId)), {
    perClient: bucket(settings.clientFailureBurst, settings.clientFailuresPerMinute),
    global: bucket(settings.globalFailureBurst, settings.globalFailuresPerMinute),
  });
}

// For main.ts: a RADIUS port that cannot be bound stops the node with a message naming the keys.
export async function startRadiusOrExit(runtime: NodeRuntime, authentication: Pick<AuthenticationService, 'engine' | 'passwordVerifier'>, beforeExit: () => Promise<void>): Promise<RadiusService | undefined> {
  try {
    return await startRadius(runtime, authentication);
  } catch (err) {
    const { bindAddress, authPort, acctPort } = runtime.config.radius;
    const message = `cannot start RADIUS on ${bindAddress}:${authPort}/${acctPort} (TWOFOLD_RADIUS_*): ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`;
    runtime.logger.fatal(message);
    process.stderr.write(`twofold: ${message}\n`);
    await beforeExit().catch(() => undefined);
    await runtime.close().catch(() => undefined);
    await endLogger(runtime.logger);
    process.exit(1);
  }
}
