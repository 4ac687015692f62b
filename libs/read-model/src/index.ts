export * from './read-model-projector';
export * from './queries/read-model-queries';
export * from './storage/sql';
export { ensureReadModelSchema, READ_MODEL_TABLES } from './storage/schema';
