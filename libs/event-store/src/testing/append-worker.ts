// Child process for the two-process test: appends to its own stream and to a shared stream
// (retrying on version_conflict) in the database given on argv, then prints a JSON summary.
import { createEventStore, isEventStoreError } from '../index';

async function main(): Promise<void> {
  const [url, name, countArg] = process.argv.slice(2);
  const count = Number(countArg);
  const store = await createEventStore({ url });
  let conflicts = 0;
  const meta = { actor: 'system', nodeId: name, epoch: 0 };
  for (let i = 0; i < count; i++) {
    await store.append(`own-${name}`, i, [{ type: 'Tick', schemaVersion: 1, payload: { i }, metadata: meta }]);
    for (;;) {
      const v = await store.streamVersion('shared');
      try {
        await store.append('shared', v, [{ type: 'Tick', schemaVersion: 1, payload: { name, i }, metadata: meta }]);
        break;
      } catch (err) {
        if (!isEventStoreError(err, 'version_conflict')) throw err;
        conflicts++;
      }
    }
  }
  await store.close();
  process.stdout.write(JSON.stringify({ appended: count * 2, conflicts }));
}

main().catch((err) => {
  process.stderr.write(String(err?.stack ?? err));
  process.exit(1);
});
