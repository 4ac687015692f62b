import type { CommandService } from '@twofold/commands';
import type { DirectoryRun, DirectoryState } from '@twofold/domain';
import { DirectoryScheduler } from './directory-scheduler';
import type { DirectorySync } from './directory-sync';

// The schedule's decisions over a stand-in for the command side's two reads (list, state) and a
// recording sync: which source runs when, on which node.
function setup(runs: DirectoryRun[], intervalMinutes = 15) {
  const ran: string[] = [];
  let master = true;
  const state = { config: { name: 'corp', intervalMinutes }, runs } as unknown as DirectoryState;
  const commands = { directories: { list: async () => ['corp'], state: async () => state } } as unknown as CommandService;
  const sync = { run: async (name: string) => { ran.push(name); return {}; } } as unknown as DirectorySync;
  const scheduler = new DirectoryScheduler({ commands, sync, isMaster: () => master });
  return { ran, scheduler, setMaster: (m: boolean) => { master = m; } };
}
const at = Date.parse('2026-03-01T10:00:00Z');
const run = (minutesAgo: number, status: DirectoryRun['status'] = 'completed'): DirectoryRun => ({ runId: 'corp.1', startedAt: new Date(at - minutesAgo * 60_000).toISOString(), status });

describe('directory schedule', () => {
  it('runs a source whose interval has passed, and not before', async () => {
    const due = setup([run(16)]);
    await due.scheduler.tick(at);
    expect(due.ran).toEqual(['corp']);
    const early = setup([run(5)]);
    await early.scheduler.tick(at);
    expect(early.ran).toEqual([]);
    const never = setup([]);
    await never.scheduler.tick(at);
    expect(never.ran).toEqual(['corp']);
  });

  it('never runs on a node that is not the master, nor a source on demand only or waiting for approval', async () => {
    const slave = setup([run(60)]);
    slave.setMaster(false);
    await slave.scheduler.tick(at);
    expect(slave.ran).toEqual([]);
    const onDemand = setup([run(60)], 0);
    await onDemand.scheduler.tick(at);
    expect(onDemand.ran).toEqual([]);
    const held = setup([run(60, 'held')]);
    await held.scheduler.tick(at);
    expect(held.ran).toEqual([]);
  });
});
