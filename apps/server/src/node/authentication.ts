import { base32Decode, SealContext } from '@twofold/domain';
import type { Subscription } from '@twofold/event-store';
import { ApprovalBroker, ApprovalDecision, Argon2idHasher, AuthenticationEngine, KeyedHashVerifier } from '@twofold/mfa';
import type { NodeRuntime } from './node-runtime';
import { createDeliveryProvider } from '../radius/delivery-provider.factory';

export interface AuthenticationService {
  engine: AuthenticationEngine;
  close(): void;
}

// The node's one authentication engine, shared by RADIUS and the SDK, over this node's read model.
// Out-of-band decisions written by any node reach it through the log.
export async function startAuthentication(runtime: NodeRuntime): Promise<AuthenticationService> {
  const { config, logger, dataDir, store, keys } = runtime;
  const log = logger.child({ component: 'authentication' });
  const { keyring } = keys;
  const broker = new ApprovalBroker();
  const engine = new AuthenticationEngine({
    directory: runtime.directory,
    security: runtime.security,
    openSeed: (userId, token) => base32Decode(keyring.open(token.seed, SealContext.oathSeed(userId, token.tokenId))),
    hasher: new KeyedHashVerifier(new Argon2idHasher(), keyring),
    sealer: keys.stateSealer,
    delivery: createDeliveryProvider(config, dataDir.path),
    approvals: broker,
    outOfBandTimeoutMs: config.radius.outOfBandTimeoutMs,
    logger: { warn: (details, message) => log.warn(details, message) },
  });
  const head = await store.head();
  const subscription: Subscription = store.subscribe(head.position, (event) => {
    if (event.type === 'OutOfBandApprovalDecided') broker.decide(String(event.payload.approvalKey), event.payload.decision as ApprovalDecision);
  });
  return {
    engine,
    close() {
      subscription.close();
      broker.close();
    },
  };
}
