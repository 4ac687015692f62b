import { errorCodeOf } from '@twofold/domain';
import { generateNumericOtp } from '../oath/numeric-otp';
import { hashOtpForState, verifyOtpForState } from '../sealed-state/otp-hash';
import { createStateNonce } from '../sealed-state/state-sealer';
import { SignInAttempt, challengeExpiry, EngineContext, fail, pinDone, pinHint, succeedChallenge } from './attempt';
import type { ChallengeRef } from './challenge-once';
import { AuthOutcome, CHALLENGE_PURPOSE } from './engine.types';
import { matchPin } from './pin-check';
import { reject } from './reject-messages';
import { smsAnswerSplit } from './response-split';

// SMS one-time code: sent with a sealed State that holds only the code's hash (any node can check
// the answer), answered once in the whole cluster.

// ---- issue: send the code ----

export async function issueSmsChallenge(ctx: EngineContext, attempt: SignInAttempt): Promise<AuthOutcome> {
  const phone = attempt.state.profile?.phones[0]?.number;
  if (!phone) return reject('no_second_factor', attempt.userId);
  const expiresAt = challengeExpiry(attempt);
  const code = generateNumericOtp(attempt.settings.otp.length);
  const nonce = createStateNonce();
  const sealed = ctx.deps.sealer.sealForRadius({
    purpose: CHALLENGE_PURPOSE, userId: attempt.userId, clientId: attempt.client.clientId, expiresAt, nonce,
    data: { m: 'sms', h: hashOtpForState(code, nonce), l: code.length, ...pinDone(attempt) },
  });
  try {
    await ctx.deps.delivery.send({ channel: 'sms', to: phone, userId: attempt.userId, text: `Your sign-in code${attempt.application ? ` for ${attempt.application}` : ''} is ${code}` });
  } catch (error) {
    ctx.deps.logger?.warn({ userId: attempt.userId, code: errorCodeOf(error) ?? 'error' }, 'SMS delivery failed');
    return reject('delivery_failed', attempt.userId);
  }
  const prompt = `Enter ${pinHint(attempt)}the code sent to your phone ending in ${phone.replace(/\D/g, '').slice(-2)}.`;
  return { kind: 'challenge', userId: attempt.userId, state: sealed, prompt, method: 'sms', expiresAt };
}

// ---- answer: [PIN]code against the State's hash ----

export async function answerSmsChallenge(
  ctx: EngineContext, attempt: SignInAttempt, response: string, claims: { nonce: string; data: Record<string, unknown> }, hasPin: boolean, challenge: ChallengeRef,
): Promise<AuthOutcome> {
  const length = typeof claims.data.l === 'number' ? claims.data.l : attempt.settings.otp.length;
  const { code, rest, long } = smsAnswerSplit(response, length);
  const codeOk = long && verifyOtpForState(code, claims.nonce, claims.data.h);
  // The PIN is checked whether or not the code matched, and a mismatch of either reads the
  // same (reason and time): the answer never tells which factor was right.
  const pinOk = hasPin ? (await matchPin(ctx.deps.hasher, attempt, rest, true)) !== null : rest === '';
  if (!codeOk) return fail(ctx, attempt, 'invalid_code');
  if (!pinOk) return fail(ctx, attempt, hasPin ? 'invalid_pin' : 'invalid_code', 'invalid_code');
  return succeedChallenge(ctx, attempt, challenge);
}
