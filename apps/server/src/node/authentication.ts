import { base32Decode, narrowEvent, SealContext } from '@twofold/domain';
import type { Subscription } from '@twofold/event-store';
import { ApprovalBroker, Argon2idHasher, AuthenticationEngine, DeliveryProvider, KeyedHashVerifier } from '@twofold/mfa';
import type { NodeRuntime } from './node-runtime';
import { createDeliveryProvider } from '../delivery/delivery-provider.factory';

export interface AuthenticationService {
  engine: AuthenticationEngine;
  // The engine's password check and code delivery, shared with the SDK's portal use cases.
  passwordVerifier: KeyedHashVerifier;
  delivery: DeliveryProvider;
  close(): void;
}

// The node's one authentication engine, shared by RADIUS and the SDK, over this node's read model.
// Out-of-band decisions written by any node reach it through the log.
export async function startAuthentication(runtime: NodeRuntime): Promise<AuthenticationService> {
  const { config, logger, dataDir, store, keys } = runtime;
  const log = logger.child({ component: 'authentication' });
  const { keyring } = keys;
  const broker = new ApprovalBroker();
  const passwordVerifier = new KeyedHashVerifier(new Argon2idHasher(), keyring);
  const delivery = createDeliveryProvider(config, dataDir.path);
  const engine = new AuthenticationEngine({
    directory: runtime.directory,
    security: runtime.security,
    openSeed: (userId, token) => base32Decode(keyring.open(token.seed, SealContext.oathSeed(userId, token.tokenId))),
    hasher: passwordVerifier,
    sealer: keys.stateSealer,
    delivery,
    approvals: broker,
    outOfBandTimeoutMs: config.radius.outOfBandTimeoutMs,
    logger: { warn: (details, message) => log.warn(details, message) },
  });
  const head = await store.head();
  const subscription: Subscription = store.subscribe(head.position, (event) => {
    const decided = narrowEvent(event, { OutOfBandApprovalDecided: true });
    if (decided) broker.decide(decided.data.approvalKey, decided.data.decision);
  });
  return {
    engine, passwordVerifier, delivery,
    close() {
      subscription.close();
      broker.close();
    },
  };
}
