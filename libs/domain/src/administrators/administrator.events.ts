import { DomainEvent } from '../events/event';

// ---- administrators ----
export type AdministratorAdded = DomainEvent<'AdministratorAdded', { adminId: string; name: string; passwordHash: string }>;
export type AdministratorRemoved = DomainEvent<'AdministratorRemoved', { adminId: string }>;

export type AdministratorEvent = AdministratorAdded | AdministratorRemoved;
