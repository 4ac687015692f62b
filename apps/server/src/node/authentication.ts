import { base32Decode, narrowEvent, SealContext } from '@twofold/domain';
import type { Subscription } from '@twofold/event-store';
import {
  ApprovalBroker, Argon2idHasher, AuthenticationEngine, DeliveryProvider, FirstFactorProvider, HeldApprovalDecisions, KeyedHashVerifier,
  PushRequestDelivery, PushRequestRegistry, WebhookPushSender,
} from '@twofold/mfa';
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
  // Push sign-ins started on this node, for devices that long-poll here.
  pushRequests: PushRequestRegistry;
  // Push approvals decided here, on the node holding the sign-in, while the master is unreachable.
  heldDecisions: HeldApprovalDecisions;
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
  const pushRequests = new PushRequestRegistry();
  // Push goes to the user's devices (recorded for the cluster, announced by webhook), then to the
  // configured provider as before; SMS and voice go straight to it.
  const delivery = new PushRequestDelivery({
    inner: createDeliveryProvider(config, dataDir.path), sealer: keys.stateSealer, registry: pushRequests,
    record: (outcome) => runtime.security.record(outcome),
    devicesOf: (userId) => runtime.queries.listDevices(userId),
    sender: new WebhookPushSender(),
    logger: { warn: (details, message) => log.warn(details, message) },
  });
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
  const heldDecisions = new HeldApprovalDecisions({ broker, registry: pushRequests, record: (outcome) => runtime.security.record(outcome) });
  const head = await store.head();
  const subscription: Subscription = store.subscribe(head.position, (event) => {
    const decided = narrowEvent(event, { OutOfBandApprovalDecided: true });
    if (decided) broker.decide(decided.data.approvalKey, decided.data.decision);
  });
  return {
    engine, passwordVerifier, delivery, pushRequests, heldDecisions, sdkFirstFactor: sdkFirstFactor(config),
    close() {
      subscription.close();
      pushRequests.close();
      broker.close();
    },
  };
}
