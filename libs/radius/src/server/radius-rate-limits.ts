import { replyMessageAttributes } from '../packet/attributes';
import type { AccessAnswer, AccessHandler, RadiusServerClient } from './radius-server';

// A token bucket keyed by name (the SDK's RateLimiter fits; the node hands one in).
export interface RateBucket {
  take(key: string): { ok: true } | { ok: false; retryAfterSeconds: number };
}

export type RadiusLimit = 'client' | 'global';

export interface RadiusFailureLimits {
  perClient: RateBucket; // failed sign-ins per RADIUS client
  global: RateBucket; // failed sign-ins on this node, all clients together
  clock?: () => number;
}

// Answers that are a wrong guess of a secret (or of a user name): what a guessing run produces.
const GUESS_FAILURES = new Set(['invalid_credentials', 'invalid_pin', 'invalid_code', 'code_replayed', 'unknown_user', 'invalid_state', 'bad_request']);

const GLOBAL_KEY = '*';

// Per-client and node-wide failure-rate limits in front of the access handler. Each failed guess
// takes a token; when a bucket is empty, requests through that client (or all requests) are
// answered at once with a Reject that says so, without running the engine, until it refills.
export function failureLimitedAccessHandler<C extends RadiusServerClient>(inner: AccessHandler<C>, limits: RadiusFailureLimits): AccessHandler<C> {
  const clock = limits.clock ?? Date.now;
  const closedUntil = new Map<string, number>();
  const closed = (key: string, now: number): number => {
    const until = closedUntil.get(key);
    if (until === undefined) return 0;
    if (until > now) return until;
    closedUntil.delete(key);
    return 0;
  };
  const count = (bucket: RateBucket, key: string, now: number) => {
    const taken = bucket.take(key);
    if (!taken.ok) closedUntil.set(key, now + taken.retryAfterSeconds * 1000);
  };
  return async (request): Promise<AccessAnswer> => {
    const now = clock();
    const clientKey = `client:${request.client.clientId}`;
    const globalUntil = closed(GLOBAL_KEY, now);
    if (globalUntil) return limited('global', globalUntil - now);
    const clientUntil = closed(clientKey, now);
    if (clientUntil) return limited('client', clientUntil - now);
    const answer = await inner(request);
    if (answer.code === 'reject' && answer.reason !== undefined && GUESS_FAILURES.has(answer.reason)) {
      count(limits.perClient, clientKey, now);
      count(limits.global, GLOBAL_KEY, now);
    }
    return answer;
  };
}

function limited(limit: RadiusLimit, waitMs: number): AccessAnswer {
  const seconds = Math.max(1, Math.ceil(waitMs / 1000));
  const where = limit === 'client' ? 'through this network device' : 'on this server';
  return {
    code: 'reject',
    attributes: replyMessageAttributes(`Too many failed sign-ins ${where}. Try again in ${seconds} seconds.`),
    reason: `rate_limited_${limit}`,
  };
}
