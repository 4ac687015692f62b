import { openStorage, type StorageConfig } from './storage';
import { TypeOrmEventStore, type TypeOrmEventStoreOptions } from './typeorm-event-store';

export interface CreateEventStoreConfig extends StorageConfig, Omit<TypeOrmEventStoreOptions, 'ownsDataSource'> {}

// Opens its own DataSource (event_log only) and owns it: close() destroys it.
export async function createEventStore(config: CreateEventStoreConfig): Promise<TypeOrmEventStore> {
  const dataSource = await openStorage(config);
  return new TypeOrmEventStore(dataSource, { clock: config.clock, subscribe: config.subscribe, onGroupCommitted: config.onGroupCommitted });
}
