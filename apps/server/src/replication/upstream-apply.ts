import { decodeSecurityOutcome, DomainErrorCode, isDomainError } from '@twofold/domain';
import type { UpstreamRefusal } from '@twofold/replication';
import type { NodeServices } from '../node/node-services';
import { counterAllowed } from './upstream-checks';

// On the master: an upstream message from a member slave (the replication handshake checked its
// certificate; the session re-checks membership per message) is decoded into its SecurityOutcome
// (a version 1 message from a slave of the previous release upcast) and recorded like a local one,
// after the master's own checks: only security kinds, well-formed, OATH counters within the window.
// The metadata names the sending node as actor, whatever the payload claims.
export async function applyUpstream(rt: Pick<NodeServices, 'commands' | 'queries' | 'logger'>, nodeId: string, event: { id: string; kind: string; payload: Record<string, unknown> }): Promise<void | UpstreamRefusal> {
  // Logged and acknowledged: redelivering a message the master will never append helps nobody.
  const refuse = (detail: string): undefined => {
    rt.logger.warn({ nodeId, upstreamId: event.id, kind: String(event.kind).slice(0, 40), detail }, 'upstream security event refused, not appended');
    return undefined;
  };
  const node = (await rt.queries.listClusterNodes()).find((n) => n.nodeId === nodeId);
  if (!node) return refuse('the sending node is not a member');
  const decoded = decodeSecurityOutcome(event.kind, event.payload ?? {}, { defaultSource: `node ${node.nodeName}` });
  if (!decoded.ok) return refuse(decoded.error);
  const { outcome } = decoded;
  if (outcome.kind === 'code_used' || outcome.kind === 'oath_success') {
    const state = await rt.queries.getUserState(outcome.userId);
    const tooHigh = state ? counterAllowed(state, await rt.queries.getSettings(), outcome.tokenId, outcome.counter, Date.now()) : null;
    if (tooHigh) return refuse(tooHigh);
  }
  const cause = { causationId: event.id, actor: `node:${node.nodeName}` };
  try {
    if (outcome.kind === 'approval_decided') await rt.commands.approvals.recordDecided(outcome, cause);
    else await rt.commands.security.record(outcome, cause);
  } catch (err) {
    if (outcome.kind === 'approval_decided' && isDomainError(err, DomainErrorCode.AlreadyExists)) {
      // Decided here meanwhile (another device, the admin API): the master's decision stands.
      rt.logger.warn({ nodeId, upstreamId: event.id, userId: outcome.userId, decision: outcome.decision, detail: 'the log already holds a decision for this approval' }, 'duplicate approval decision from a slave dropped');
    }
    // A domain refusal (user deleted since, code used on another node first) is final, not transient.
    if (isDomainError(err)) return { code: err.code, ...(err.field ? { field: err.field } : {}) };
    throw err;
  }
}
