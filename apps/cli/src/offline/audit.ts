import { auditUser, AuditedEvent, normalizeUsername } from '@twofold/domain';
import { CliError } from '../core/cli-error';
import { CliContext } from '../core/context';
import { ExitCode } from '../core/exit-codes';
import { renderRecord } from '../core/output';
import { openOfflineStorage } from './offline-storage';

// "What did this user look like on 1 March, and who changed it?" — answered from the log alone.
export async function auditUserCommand(ctx: CliContext, username: string, o: { at?: string }): Promise<void> {
  const at = o.at === undefined ? undefined : new Date(o.at);
  if (at && Number.isNaN(at.getTime())) throw CliError.usage('--at must be a date or time, e.g. 2026-03-01 or 2026-03-01T12:00:00Z', 'at');
  const wanted = normalizeUsername(username);
  const storage = await openOfflineStorage(ctx.dataDir);
  try {
    // A username may have belonged to several users over time (deleted, then created again).
    const streams = new Map<string, AuditedEvent[]>();
    for (let after = 0; ;) {
      const page = await storage.store.readFrom(after, 1000);
      if (page.length === 0) break;
      for (const e of page) {
        if (e.type === 'UserCreated' && String(e.payload.username) === wanted) streams.set(e.streamId, []);
        streams.get(e.streamId)?.push(e as AuditedEvent);
      }
      after = page[page.length - 1].position;
    }
    if (streams.size === 0) throw new CliError('unknown_user', `the log has no user "${wanted}"`, ExitCode.NotFound, 'user');
    // The data directory's key shows the e-mail and phones sealed in the log; without it they stay sealed.
    const audits = [...streams.entries()].map(([streamId, events]) => ({ streamId, ...auditUser(events, at, storage.sealer) }))
      .filter((a) => a.changes.length > 0);
    ctx.out.result(audits, () => audits.map((a) => {
      const s = a.state;
      const head = renderRecord([
        ['user', `${wanted} (${a.streamId.replace(/^user-/, '')})`],
        ['as of', a.at ?? 'now'],
        ['exists', s.deleted ? 'deleted' : s.exists ? 'yes' : 'not yet'],
        ['display name', s.profile?.displayName ?? '-'],
        ['email', s.profile?.sealedContact ? 'sealed (no master key here)' : s.profile?.email ?? '-'],
        ['phones', s.profile?.sealedContact ? 'sealed (no master key here)' : (s.profile?.phones ?? []).map((p) => p.number).join(', ') || '-'],
        ['method', s.profile?.preferredMethod ?? '-'], ['enabled', s.enabled], ['PIN', s.pin], ['password', s.password],
        ['tokens', s.tokens.map((t) => `${t.kind} ${t.label || t.tokenId}`).join(', ') || '-'],
        ['locked out', s.lockedOut ? `since ${s.lockedOut.at}${s.lockedOut.until ? ` until ${s.lockedOut.until}` : ''}` : 'no'],
        ['blocked', s.blocked ? `since ${s.blocked.at}` : 'no'],
      ]);
      const history = a.changes.map((c) => `  ${String(c.position).padStart(7)}  ${c.timestamp}  ${c.type.padEnd(26)} ${c.actor}`).join('\n');
      return `${head}changes:\n${history}\n`;
    }).join('\n') || `no changes to ${wanted} before ${a0(at)}\n`);
  } finally {
    await storage.close();
  }
}

const a0 = (at?: Date) => (at ? at.toISOString() : 'now');
