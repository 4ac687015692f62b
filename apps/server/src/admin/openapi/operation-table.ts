// The admin API's operations as a table: 'METHOD /path' under /admin/v1, what it does, its body
// schema and, where the controller sets one, its status (else Nest's: 201 for POST, 200 otherwise).
export type Op = { method: 'get' | 'post' | 'patch' | 'put' | 'delete'; path: string; summary: string; body?: string; ok: number; ifMatch?: boolean };

export type OperationTable = Record<string, { summary: string; body?: string; ok?: number; ifMatch?: boolean }>;

export function operations(table: OperationTable): Op[] {
  return Object.entries(table).map(([route, entry]) => {
    const [verb, path] = route.split(' ');
    const method = verb.toLowerCase() as Op['method'];
    return { method, path: `/admin/v1${path}`, ...entry, ok: entry.ok ?? (method === 'post' ? 201 : 200) };
  });
}

export const obj = (properties: Record<string, unknown>, required: string[] = []) => ({ type: 'object', properties, required, additionalProperties: false });
export const str = { type: 'string' };
