import { CliError } from './cli-error';

type Json = null | boolean | number | string | Json[] | { [key: string]: Json };

const KEY = /^[A-Za-z][A-Za-z0-9_]*(\.[A-Za-z][A-Za-z0-9_]*)*$/;

// "3" is the number 3, "true" a boolean, '"3"' the string "3"; text that is not JSON stays text.
export function parseValue(raw: string): Json {
  try {
    return JSON.parse(raw) as Json;
  } catch {
    return raw;
  }
}

// ["lockout.failuresBeforeLockout=3", "pin.minLength=6"] -> { lockout: { failuresBeforeLockout: 3 }, pin: { minLength: 6 } }
export function assignmentsToObject(assignments: string[]): Record<string, Json> {
  if (assignments.length === 0) throw CliError.usage('give at least one key=value, e.g. lockout.failuresBeforeLockout=3');
  const root: Record<string, Json> = {};
  for (const assignment of assignments) {
    const eq = assignment.indexOf('=');
    const key = eq < 0 ? assignment : assignment.slice(0, eq);
    if (eq < 0 || !KEY.test(key)) throw CliError.usage(`"${key.slice(0, 80)}" is not key=value with a dotted key, e.g. lockout.failuresBeforeLockout=3`);
    const path = key.split('.');
    let node = root;
    for (const [i, part] of path.entries()) {
      if (i === path.length - 1) {
        if (part in node) throw CliError.usage(`${key} is given twice or clashes with another key`);
        node[part] = parseValue(assignment.slice(eq + 1));
        break;
      }
      const next = node[part];
      if (next === undefined) node[part] = {};
      else if (typeof next !== 'object' || next === null || Array.isArray(next)) throw CliError.usage(`${key} clashes with ${path.slice(0, i + 1).join('.')}`);
      node = node[part] as Record<string, Json>;
    }
  }
  return root;
}

// { lockout: { failuresBeforeLockout: 5 } } -> [["lockout.failuresBeforeLockout", 5]]
export function flatten(value: unknown, prefix = ''): Array<[string, unknown]> {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return [[prefix, value]];
  const entries = Object.entries(value as Record<string, unknown>);
  if (entries.length === 0) return prefix ? [[prefix, {}]] : [];
  return entries.flatMap(([k, v]) => flatten(v, prefix ? `${prefix}.${k}` : k));
}
