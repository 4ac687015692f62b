// The CSV columns `twofold user import` reads (the command's help and the importer share them).
export const IMPORT_COLUMNS = ['username', 'displayName', 'email', 'phone', 'preferredMethod', 'language'] as const;
export type ImportColumn = (typeof IMPORT_COLUMNS)[number];
