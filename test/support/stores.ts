import { createEventStore, type TypeOrmEventStore } from '@twofold/event-store';

// Event stores a spec opens on a database url (several on one url: several processes of one log),
// each closed after its test.
export function storesClosedAfterEachTest(): (url: string, clock?: () => Date) => Promise<TypeOrmEventStore> {
  const opened: TypeOrmEventStore[] = [];
  afterEach(async () => {
    for (const s of opened.splice(0)) await s.close();
  });
  return async (url, clock) => {
    const store = await createEventStore({ url, clock });
    opened.push(store);
    return store;
  };
}
