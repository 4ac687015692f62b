import { sdkSectionSchema } from '@twofold/platform';
import type { EventStore } from '@twofold/event-store';
import type { ReadModelProjector, ReadModelQueries } from '@twofold/read-model';
import type { CommandService } from '@twofold/commands';
import type { AuthenticationEngine, DeliveryProvider, FirstFactorProvider, HeldApprovalDecisions, PasswordVerifier, PushRequestRegistry, RateLimit, StateSealer } from '@twofold/mfa';

export interface SdkLogger {
  info(details: Record<string, unknown>, message: string): void;
  warn(details: Record<string, unknown>, message: string): void;
  error(details: Record<string, unknown>, message: string): void;
}

export interface SdkOptions {
  perCredential: RateLimit;
  perUser: RateLimit; // start, answer, PIN checks and self-service writes, per user
  maxBodyBytes: number;
  approvalWindowMs: number; // how long a user has to approve a push/voice request
  assertionTtlMs: number; // how long a user assertion allows self-service calls
}

export const DEFAULT_SDK_OPTIONS: SdkOptions = {
  perCredential: { burst: 400, perSecond: 200 },
  perUser: { burst: 10, perSecond: 10 / 60 },
  maxBodyBytes: 16 * 1024,
  approvalWindowMs: 120_000,
  assertionTtlMs: 300_000,
};

// What the SDK needs from its node. The node builds this once; the SDK owns no storage.
export interface SdkDeps {
  engine: AuthenticationEngine; // the node's one authentication engine (shared with RADIUS)
  queries: ReadModelQueries;
  commands: CommandService;
  store: EventStore;
  projector: ReadModelProjector;
  nodeId: string;
  stateSealer: StateSealer; // the cluster's one sealer (handles and assertions any node opens)
  logger: SdkLogger;
  options?: Partial<SdkOptions>;
  // Checks a user's local password when a start call carries one (the User Portal's first factor).
  passwordVerifier?: PasswordVerifier;
  // Checks that password against a directory instead (node config sdk.firstFactor = ldap).
  firstFactor?: FirstFactorProvider;
  // Sends the code that confirms a new phone number (the node's SMS provider).
  delivery?: DeliveryProvider;
  // Push sign-ins started on this node (the engine's push delivery fills it), for devices' polls.
  pushRequests?: PushRequestRegistry;
  // A device's answer for a sign-in held on this node, taken here while the master is unreachable.
  heldDecisions?: HeldApprovalDecisions;
}

export const SDK_DEPS = Symbol('SdkDeps');
export const SDK_OPTIONS = Symbol('SdkOptions');

// The node config's `sdk` section (see docs/sdk.md for the keys), checked here as well.
export const sdkConfigSchema = sdkSectionSchema;

export function sdkOptionsFromConfig(config: object): SdkOptions {
  const options = structuredClone(DEFAULT_SDK_OPTIONS);
  const section = (config as { sdk?: unknown }).sdk;
  if (section === undefined) return options;
  const parsed = sdkConfigSchema.safeParse(section);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw Object.assign(new Error(`configuration key sdk.${issue.path.join('.')}: ${issue.message}`), { code: 'invalid_config' });
  }
  const c = parsed.data;
  if (c.rateCredentialPerSecond !== undefined) options.perCredential.perSecond = c.rateCredentialPerSecond;
  if (c.rateCredentialBurst !== undefined) options.perCredential.burst = c.rateCredentialBurst;
  if (c.rateUserPerMinute !== undefined) options.perUser.perSecond = c.rateUserPerMinute / 60;
  if (c.rateUserBurst !== undefined) options.perUser.burst = c.rateUserBurst;
  if (c.maxBodyBytes !== undefined) options.maxBodyBytes = c.maxBodyBytes;
  if (c.approvalWindowMs !== undefined) options.approvalWindowMs = c.approvalWindowMs;
  if (c.assertionTtlMs !== undefined) options.assertionTtlMs = c.assertionTtlMs;
  return options;
}
