import type { UserState } from '@twofold/domain';
import { errorCodeOf } from '@twofold/domain';
import type { DeliveryProvider } from '../delivery/delivery-provider';
import { randomInt } from 'node:crypto';
import { createStateNonce, StateSealer } from '../sealed-state/state-sealer';
import type { ApprovalDecision, EngineClient, EngineLogger } from './engine.ports';
import { ChallengeRef, challengeRef } from './challenge-once';

// Out-of-band (push, voice) without holding the request: start answers at once with a sealed
// handle; the caller polls (long-poll) or cancels with it. The decision lives in the log (stream
// approval-<key>), the handle travels with the client, so any node can answer any poll.

export const POLL_PURPOSE = 'oob-poll';
// A cancellation is written as a "denied" decision whose source starts with this.
export const CANCELLED_SOURCE_PREFIX = 'cancelled-by:';
// The handle outlives the approval window so the final answer can still be read after it.
const HANDLE_GRACE_MS = 120_000;

export type OutOfBandChannel = 'push' | 'voice';

export interface RecordedDecision { decision: ApprovalDecision; source: string }

// The caller's view of decisions in the log (a store read plus a log subscription on a server).
export interface ApprovalDecisionLog {
  read(approvalKey: string): Promise<RecordedDecision | null>;
  // Resolves when a decision for the key may have arrived, or after timeoutMs.
  waitForChange(approvalKey: string, timeoutMs: number): Promise<void>;
  // Appends the cancellation; returns the decision already recorded instead when there is one.
  cancel(approvalKey: string, userId: string, source: string): Promise<RecordedDecision | null>;
}

export interface PendingOutcome {
  kind: 'pending';
  userId: string;
  handle: string;
  method: OutOfBandChannel;
  prompt: string;
  expiresAt: number; // when the approval window closes
  numberToMatch?: number; // push: the number the user picks on the device (two digits)
}

export interface PollInput {
  handle: string;
  client: EngineClient;
  source: string;
  decisions: ApprovalDecisionLog;
  waitMs?: number; // long-poll: hold until decided or this long (0: answer at once)
}

export interface CancelInput {
  handle: string;
  client: EngineClient;
  source: string;
  decisions: ApprovalDecisionLog;
}

export type CancelOutcome =
  | { kind: 'cancelled'; userId: string }
  | { kind: 'already_decided'; userId: string; decision: ApprovalDecision }
  | { kind: 'invalid_state' };

// The attempt as the engine builds it; only these fields are needed here.
export interface PolledSignInAttempt {
  userId: string;
  username: string;
  state: UserState;
  client: EngineClient;
  source: string;
  now: number;
  application?: string;
}

// The engine's outcome type: anything tagged with a kind (an attempt never is).
export type StepOutcome = { kind: string };

// The engine's own steps (gate, success and failure recording), lent to this helper.
export interface PollingSteps<O extends StepOutcome> {
  sealer: StateSealer;
  delivery: DeliveryProvider;
  approvalPurpose: string;
  logger?: EngineLogger;
  clock(): number;
  // Reloads the user and applies the gate (disabled, locked, blocked): an attempt or a reject.
  load(userId: string, client: EngineClient, source: string): Promise<PolledSignInAttempt | O>;
  // Records the success and consumes the handle (one success per handle in the whole cluster).
  succeed(attempt: PolledSignInAttempt, challenge: ChallengeRef): Promise<O>;
  fail(attempt: PolledSignInAttempt, reason: 'approval_denied'): Promise<O>;
  reject(reason: 'invalid_state' | 'no_second_factor' | 'delivery_failed' | 'approval_timeout' | 'fraud_reported' | 'approval_cancelled', userId?: string): O;
}

interface Finished<O> { outcome: O; until: number }

export class OutOfBandPolling<O extends StepOutcome> {
  // Final answers already given on this node, so a repeated poll records nothing twice here.
  private readonly finished = new Map<string, Finished<O>>();

  constructor(private readonly steps: PollingSteps<O>) {}

  async start(attempt: PolledSignInAttempt, channel: OutOfBandChannel, windowMs: number): Promise<PendingOutcome | O> {
    const { steps } = this;
    const to = channel === 'voice' ? attempt.state.profile?.phones[0]?.number : attempt.username;
    if (!to) return steps.reject('no_second_factor', attempt.userId);
    const nonce = createStateNonce();
    const expiresAt = attempt.now + windowMs;
    // The same approval id the holding (RADIUS) flow sends, so whoever decides needs no new path.
    // Push: number matching. The number lives only in the sealed ids (and on the caller's screen).
    const numberToMatch = channel === 'push' ? randomInt(10, 100) : undefined;
    const approvalId = steps.sealer.sealToString({
      purpose: steps.approvalPurpose, userId: attempt.userId, expiresAt, nonce,
      data: approvalData(attempt.client.clientId, { number: numberToMatch, application: attempt.application, from: attempt.source }),
    });
    const handle = steps.sealer.sealToString({
      purpose: POLL_PURPOSE, userId: attempt.userId, clientId: attempt.client.clientId, expiresAt: expiresAt + HANDLE_GRACE_MS, nonce,
      data: { m: channel, x: expiresAt, ...(numberToMatch !== undefined ? { n: numberToMatch } : {}) },
    });
    const app = attempt.application ? ` to ${attempt.application}` : '';
    try {
      await steps.delivery.send({
        channel, to, userId: attempt.userId, approvalId,
        text: `Sign-in request for ${attempt.username}${app}: approve or deny.`,
        metadata: { clientId: attempt.client.clientId, ...(attempt.application ? { application: attempt.application } : {}) },
      });
    } catch (error) {
      steps.logger?.warn({ userId: attempt.userId, code: errorCodeOf(error) ?? 'error' }, `${channel} delivery failed`);
      return steps.reject('delivery_failed', attempt.userId);
    }
    const prompt = channel === 'push' ? 'Approve the sign-in request on your phone.' : 'Answer the call to your phone and follow the instructions.';
    return { kind: 'pending', userId: attempt.userId, handle, method: channel, prompt, expiresAt, ...(numberToMatch !== undefined ? { numberToMatch } : {}) };
  }

  async poll(input: PollInput): Promise<PendingOutcome | O> {
    const { steps } = this;
    const opened = this.open(input.handle, input.client);
    if (!opened) return steps.reject('invalid_state');
    const { key, userId, channel, closesAt, handleExpiresAt, numberToMatch } = opened;
    const done = this.finished.get(key);
    if (done) return done.outcome;

    let recorded = await input.decisions.read(key);
    const wait = Math.min(Math.max(0, input.waitMs ?? 0), closesAt - steps.clock());
    if (!recorded && wait > 0) {
      await input.decisions.waitForChange(key, wait);
      recorded = await input.decisions.read(key);
    }
    if (!recorded) {
      if (steps.clock() < closesAt) {
        const prompt = channel === 'push' ? 'Waiting for the approval on your phone.' : 'Waiting for the answer on your phone.';
        return { kind: 'pending', userId, handle: input.handle, method: channel, prompt, expiresAt: closesAt, ...(numberToMatch !== undefined ? { numberToMatch } : {}) };
      }
      return this.remember(key, steps.reject('approval_timeout', userId), userId);
    }
    return this.remember(key, await this.conclude(recorded, userId, input, challengeRef({ nonce: key, expiresAt: handleExpiresAt })), userId);
  }

  async cancel(input: CancelInput): Promise<CancelOutcome> {
    const opened = this.open(input.handle, input.client);
    if (!opened) return { kind: 'invalid_state' };
    const existing = await input.decisions.cancel(opened.key, opened.userId, `${CANCELLED_SOURCE_PREFIX}${input.source}`.slice(0, 128));
    if (existing && !existing.source.startsWith(CANCELLED_SOURCE_PREFIX)) {
      return { kind: 'already_decided', userId: opened.userId, decision: existing.decision };
    }
    return { kind: 'cancelled', userId: opened.userId };
  }

  private async conclude(recorded: RecordedDecision, userId: string, input: PollInput, challenge: ChallengeRef): Promise<O> {
    const { steps } = this;
    if (recorded.decision === 'fraud') return steps.reject('fraud_reported', userId);
    if (recorded.decision === 'denied' && recorded.source.startsWith(CANCELLED_SOURCE_PREFIX)) return steps.reject('approval_cancelled', userId);
    const attempt = await steps.load(userId, input.client, input.source);
    if (isOutcome(attempt)) return attempt;
    return recorded.decision === 'approved' ? steps.succeed(attempt, challenge) : steps.fail(attempt, 'approval_denied');
  }

  private open(handle: string, client: EngineClient): { key: string; userId: string; channel: OutOfBandChannel; closesAt: number; handleExpiresAt: number; numberToMatch?: number } | null {
    try {
      const claims = this.steps.sealer.open(handle, { purpose: POLL_PURPOSE, nowMs: this.steps.clock(), clientId: client.clientId });
      const channel = claims.data?.m === 'voice' ? 'voice' : 'push';
      const closesAt = typeof claims.data?.x === 'number' ? claims.data.x : claims.expiresAt;
      const numberToMatch = typeof claims.data?.n === 'number' ? claims.data.n : undefined;
      return { key: claims.nonce, userId: claims.userId, channel, closesAt, handleExpiresAt: claims.expiresAt, ...(numberToMatch !== undefined ? { numberToMatch } : {}) };
    } catch {
      return null;
    }
  }

  // An accept is given once: a later poll of the same handle is told the sign-in is spent.
  private remember(key: string, outcome: O, userId: string): O {
    const now = this.steps.clock();
    for (const [k, v] of this.finished) if (v.until <= now) this.finished.delete(k);
    const later = outcome.kind === 'accept' ? this.steps.reject('invalid_state', userId) : outcome;
    if (this.finished.size < 50_000) this.finished.set(key, { outcome: later, until: now + HANDLE_GRACE_MS + 60_000 });
    return outcome;
  }
}

// The sealed approval id's data: the client (c), and for a device: the number to match (n), the
// application (a) and where the sign-in comes from (f). Short keys: a RADIUS State is small.
export function approvalData(clientId: string, about: { number?: number; application?: string; from?: string }): Record<string, unknown> {
  return {
    c: clientId,
    ...(about.number !== undefined ? { n: about.number } : {}),
    ...(about.application ? { a: about.application.slice(0, 64) } : {}),
    ...(about.from ? { f: about.from.slice(0, 64) } : {}),
  };
}

function isOutcome<O extends StepOutcome>(value: PolledSignInAttempt | O): value is O {
  return 'kind' in value;
}
