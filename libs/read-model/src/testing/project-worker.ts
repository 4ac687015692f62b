// Child process for the crash test: projects the log one event per transaction and reports
// each checkpoint on stdout, until it is killed.
import { openStorage, TypeOrmEventStore } from '@twofold/event-store';
import { ReadModelProjector } from '../read-model-projector';
import { testKeyring } from './test-keyring';

async function main(): Promise<void> {
  const dataSource = await openStorage({ url: process.argv[2] });
  const store = new TypeOrmEventStore(dataSource);
  // CRASH_AT=N: die inside the transaction that applies event N, rows written, nothing committed.
  const crashAt = Number(process.env.CRASH_AT ?? 0);
  const projector = new ReadModelProjector(dataSource, {
    sealer: testKeyring(),
    beforeCommit: (position) => { if (position === crashAt) process.kill(process.pid, 'SIGKILL'); },
  });
  await projector.init();
  for (;;) {
    const events = await store.readFrom(projector.checkpoint, 1);
    if (events.length === 0) break;
    await projector.apply(events);
    process.stdout.write(`${projector.checkpoint}\n`);
  }
  process.stdout.write('done\n');
}

void main();
