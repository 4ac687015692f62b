import { errorCodeOf } from '@twofold/domain';
import { verifyHotpCodes, verifyTotp, OathDigits, TotpPeriod } from '../oath/oath';
import { SignInAttempt, challengeExpiry, EngineContext, fail, accept, pinDone, pinHint } from './attempt';
import { ChallengeRef, isChallengeReplay, isCodeReplay } from './challenge-once';
import { checkFirstFactor } from './first-factor-check';
import type { OathTokenForCheck } from './engine.ports';
import { AuthOutcome, CHALLENGE_PURPOSE } from './engine.types';
import { matchPin } from './pin-check';
import { reject } from './reject-messages';
import { beforeLongestCode, codeSplits } from './response-split';

// TOTP/HOTP: the code typed after the password (inline), or asked for with a challenge and
// answered with its State. Accepting a code records its counter once in the whole cluster.

type OathMatch = { token: OathTokenForCheck; counter: number; replayed: boolean };

// ---- issue: ask for the code ----

export function issueOathChallenge(ctx: EngineContext, attempt: SignInAttempt): AuthOutcome {
  if (attempt.state.tokens.length === 0) return reject('no_second_factor', attempt.userId);
  const expiresAt = challengeExpiry(attempt);
  const sealed = ctx.deps.sealer.sealForRadius({
    purpose: CHALLENGE_PURPOSE, userId: attempt.userId, clientId: attempt.client.clientId, expiresAt, data: { m: 'oath', ...pinDone(attempt) },
  });
  return { kind: 'challenge', userId: attempt.userId, state: sealed, prompt: `Enter ${pinHint(attempt)}the code from your authenticator app.`, method: 'oath', expiresAt };
}

// ---- answer: inline with the first request ----

// Password (or nothing, or a PIN) followed by the OATH code, in one request. null: the text is
// not such an answer (the password alone; the code comes at the challenge).
export async function tryInlineOath(ctx: EngineContext, attempt: SignInAttempt, password: string): Promise<AuthOutcome | null> {
  const { state, client } = attempt;
  const noPassword = client.firstFactor.mode === 'none';
  const hasPin = state.pinHash !== null;
  let attempted = false;
  for (const { code, rest } of codeSplits(password, state.tokens)) {
    // none: [PIN]code; password modes: password[PIN]code.
    if (noPassword ? hasPin !== (rest !== '') : rest === '') continue;
    attempted = true;
    const match = matchOath(ctx, attempt, code);
    if (!match) continue;
    let firstPassword = rest;
    if (hasPin) {
      const remaining = await matchPin(ctx.deps.hasher, attempt, rest, noPassword);
      // PIN alone (no password): a replay reads the same whatever the PIN.
      if (remaining === null && noPassword && match.replayed) return fail(ctx, attempt, 'code_replayed');
      if (remaining === null) return fail(ctx, attempt, 'invalid_pin', 'invalid_code');
      firstPassword = remaining;
    }
    // ('none' passes: checkFirstFactor is the same check as the challenge path's.)
    const firstFactorRefused = await checkFirstFactor(ctx, attempt, firstPassword);
    if (firstFactorRefused) return firstFactorRefused;
    if (match.replayed) return fail(ctx, attempt, 'code_replayed');
    return finishOath(ctx, attempt, match);
  }
  // Without a password, a code-shaped answer that matched nothing is a failed guess (the PIN is
  // still checked, so it costs what a wrong PIN does); with one, the whole text may still be the
  // password (the code comes at the challenge).
  if (attempted && noPassword) {
    if (hasPin) await matchPin(ctx.deps.hasher, attempt, beforeLongestCode(password, state.tokens), true);
    return fail(ctx, attempt, 'invalid_code');
  }
  return null;
}

// ---- answer: the challenge's State came back with [PIN]code ----

export async function answerOathChallenge(ctx: EngineContext, attempt: SignInAttempt, response: string, hasPin: boolean, challenge: ChallengeRef): Promise<AuthOutcome> {
  const { state } = attempt;
  for (const { code, rest } of codeSplits(response, state.tokens)) {
    if (!hasPin && rest !== '') continue;
    const match = matchOath(ctx, attempt, code);
    if (!match) continue;
    const pinOk = !hasPin || (await matchPin(ctx.deps.hasher, attempt, rest, true)) !== null;
    // A replay reads the same whatever the PIN, so a spent code is no PIN oracle.
    if (match.replayed) return fail(ctx, attempt, 'code_replayed');
    if (!pinOk) return fail(ctx, attempt, 'invalid_pin', 'invalid_code');
    return finishOath(ctx, attempt, match, challenge);
  }
  // No code matched: the PIN is still checked, so a wrong code costs what a wrong PIN does.
  if (hasPin) await matchPin(ctx.deps.hasher, attempt, beforeLongestCode(response, state.tokens), true);
  return fail(ctx, attempt, 'invalid_code');
}

// Cheap (HMACs only), so it runs before any argon2 or directory call.
function matchOath(ctx: EngineContext, attempt: SignInAttempt, code: string): OathMatch | null {
  let replayed: OathMatch | null = null;
  for (const token of attempt.state.tokens) {
    if (token.digits !== code.length) continue;
    const unopenable = (error: unknown) => {
      ctx.deps.logger?.warn({ userId: attempt.userId, tokenId: token.tokenId, code: errorCodeOf(error) ?? 'error' }, 'OATH seed cannot be opened');
    };
    const options = { digits: token.digits as OathDigits, algorithm: token.algorithm };
    if (token.kind === 'hotp') {
      let openFailed = false;
      const open = () => {
        try {
          return ctx.deps.openSeed(attempt.userId, token);
        } catch (error) {
          openFailed = true;
          throw error;
        }
      };
      let result;
      try {
        result = verifyHotpCodes({ codeAt: ctx.codes.hotp(token, token.counter, open), code, counter: token.counter, lookAhead: ctx.hotpLookAhead, digits: options.digits });
      } catch (error) {
        if (!openFailed) throw error;
        unopenable(error);
        continue;
      }
      if (result.ok) return { token, counter: result.counter, replayed: false };
      continue;
    }
    let seed: Buffer;
    try {
      seed = ctx.deps.openSeed(attempt.userId, token);
    } catch (error) {
      unopenable(error);
      continue;
    }
    const result = verifyTotp({
      seed, code, timeMs: attempt.now, driftSteps: attempt.settings.otp.totpDriftSteps, period: token.period as TotpPeriod,
      lastUsedStep: token.lastUsedCounter ?? undefined, ...options,
    });
    if (result.ok) return { token, counter: result.step, replayed: false };
    if (result.reason === 'replayed') replayed = { token, counter: -1, replayed: true };
  }
  return replayed;
}

// The cluster-wide once-only check: the log refuses a step or counter already used, and (with
// `challenge`) a State already answered.
async function finishOath(ctx: EngineContext, attempt: SignInAttempt, match: OathMatch, challenge?: ChallengeRef): Promise<AuthOutcome> {
  try {
    await ctx.deps.security.record({
      kind: 'oath_success', userId: attempt.userId, tokenId: match.token.tokenId, counter: match.counter, source: attempt.source, ...(challenge ? { challenge } : {}),
    });
  } catch (error) {
    if (isChallengeReplay(error)) return reject('invalid_state', attempt.userId);
    if (isCodeReplay(error)) return fail(ctx, attempt, 'code_replayed');
    throw error;
  }
  return accept(attempt);
}
