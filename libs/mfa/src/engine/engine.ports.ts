import type { AuthMethod, SecurityOutcome, Settings, StoredSecretHash, UnenrolledPolicy, UserState } from '@twofold/domain';
import type { FirstFactorProvider } from '../first-factor/first-factor';

// The engine's view of the read model. ReadModelQueries satisfies it structurally.
export interface UserDirectory {
  findUserByUsername(username: string): Promise<{ userId: string } | null>;
  getUserState(userId: string): Promise<UserState | null>;
  getSettings(): Promise<Settings>;
  // Optional: the user named `username` with its state, and the settings, in one read (a sign-in's
  // first request); without it the engine asks the three methods above in turn.
  findSignIn?(username: string): Promise<SignInRead | null>;
}

export interface SignInRead { userId: string; state: UserState | null; settings: Settings }

// What the engine reports to the log: one security outcome, resolving to the user's state after it
// (a lockout it caused included), as the write side computed it. On the master it is appended; on
// a slave it goes through the outbox. Throws a DomainError 'code_already_used' when the OATH
// step/counter (field 'counter') or the challenge State (field 'nonce') was already used anywhere,
// 'bypass_not_active' when a once-only bypass was used elsewhere first (or a slave's master cannot
// record a sign-in without a second factor yet).
export interface SecurityOutcomeRecorder {
  record(outcome: SecurityOutcome): Promise<UserState>;
}

export type OathTokenForCheck = UserState['tokens'][number];

// Opens a token's sealed seed (keyring + SealContext.oathSeed in the app).
export type SeedOpener = (userId: string, token: OathTokenForCheck) => Buffer;

// KeyedHashVerifier satisfies it. context: the SealContext the hash was sealed with.
export interface PasswordVerifier {
  verify(stored: StoredSecretHash, plain: string, context: string): Promise<boolean>;
}

export type ApprovalDecision = 'approved' | 'denied' | 'fraud';

export interface PendingApproval {
  readonly decision: Promise<ApprovalDecision | 'timeout'>;
  cancel(): void;
}

// Out-of-band approvals: registered before the request goes out, resolved from wherever the
// decision is seen (on a server: the log subscription, so any node may take the decision).
export interface ApprovalWaiter {
  expect(approvalId: string, timeoutMs: number): PendingApproval;
}

// Who is asking: a RADIUS client, an SDK credential. `firstFactor` is resolved by the caller.
export interface EngineClient {
  clientId: string;
  firstFactor: FirstFactorProvider;
  // A user with no second factor yet: refused (default) or let in on the first factor (rollout).
  unenrolled?: UnenrolledPolicy;
  // The caller checked the first factor itself (the SDK: ADFS did). Without it, a client whose first
  // factor is 'none' never lets anyone in without a second factor: that would be no factor at all.
  firstFactorCheckedByCaller?: boolean;
}

export interface EngineLogger {
  warn(details: Record<string, unknown>, message: string): void;
}

export type SecondFactorMethod = AuthMethod;
