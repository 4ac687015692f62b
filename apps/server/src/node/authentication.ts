import { base32Decode, SealContext } from '@twofold/domain';
import type { Subscription } from '@twofold/event-store';
import { ApprovalBroker, ApprovalDecision, Argon2idHasher, AuthenticationEngine, DeliveryProvider, FirstFactorProvider, KeyedHashVerifier } from '@twofold/mfa';
import type { NodeRuntime } from './node-runtime';
import { createDeliveryProvider } from '../delivery/delivery-provider.factory';
import { sdkFirstFactor } from './sdk-first-factor';

export interface AuthenticationService {
  engine: AuthenticationEngine;
  // The engine's password check and code delivery, shared with the SDK's portal use cases.
  passwordVerifier: KeyedHashVerifier;
  delivery: DeliveryProvider;
  // The SDK's password check when the config names an LDAP directory (else the local password).
  sdkFirstFactor?: FirstFactorProvider;
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
    if (event.type === 'OutOfBandApprovalDecided') broker.decide(String(event.payload.approvalKey), event.payload.decision as ApprovalDecision);
  });
  return {
    engine, passwordVerifier, delivery, sdkFirstFactor: sdkFirstFactor(config),
    close() {
      subscription.close();
      broker.close();
    },
  };
}
