import { base32Decode, base32Encode } from '../crypto/base32';
import { CsvError, parseCsv } from '../shared/csv';
import type { FileRead, FileToken } from './pskc';

export const TOKEN_CSV_COLUMNS = ['serial', 'seed', 'type', 'digits', 'period', 'counter', 'algorithm', 'username'] as const;

export class TokenCsvError extends Error {}

// hex (only 0-9 a-f, even length) unless written "base32:..."; "hex:..." forces hex.
function seedBytes(raw: string): Buffer {
  const v = raw.trim();
  if (/^hex:/i.test(v) || (/^[0-9a-f]+$/i.test(v) && v.length % 2 === 0)) {
    const hex = v.replace(/^hex:/i, '');
    if (!/^([0-9a-f]{2})+$/i.test(hex)) throw new Error('seed: not hex');
    return Buffer.from(hex, 'hex');
  }
  return base32Decode(v.replace(/^base32:/i, '').replace(/=+$/, '').toUpperCase());
}

// Header row required; serial, seed and type required; digits (default 6), period (TOTP, default
// 30), counter (HOTP, default 0), algorithm (default SHA1), username (empty: to the pool).
export function readTokenCsv(text: string): FileRead {
  let records;
  try {
    records = parseCsv(text);
  } catch (err) {
    throw new TokenCsvError(err instanceof CsvError ? err.message : 'unreadable CSV');
  }
  if (records.length === 0) throw new TokenCsvError('the file is empty: it needs a header row');
  const header = records[0].fields.map((h) => h.trim().toLowerCase());
  const unknown = header.filter((h) => !(TOKEN_CSV_COLUMNS as readonly string[]).includes(h));
  if (unknown.length) throw new TokenCsvError(`line 1: unknown column(s) ${unknown.join(', ')}; columns are ${TOKEN_CSV_COLUMNS.join(', ')}`);
  for (const required of ['serial', 'seed', 'type']) if (!header.includes(required)) throw new TokenCsvError(`line 1: the ${required} column is required`);
  const out: FileRead = { tokens: [], refused: [] };
  for (const record of records.slice(1)) {
    if (record.fields.length === 1 && record.fields[0].trim() === '') continue;
    const cell = (name: string) => {
      const i = header.indexOf(name);
      return i < 0 ? '' : (record.fields[i] ?? '').trim();
    };
    const serial = cell('serial') || null;
    const int = (name: string) => {
      const v = cell(name);
      if (v === '') return undefined;
      if (!/^\d{1,15}$/.test(v)) throw new Error(`${name}: must be a whole number`);
      return Number(v);
    };
    try {
      const token: FileToken = { serial: cell('serial'), seed: base32Encode(seedBytes(cell('seed'))), kind: cell('type').toLowerCase(), algorithm: cell('algorithm') || 'SHA1', digits: int('digits') ?? 6 };
      const period = int('period');
      const counter = int('counter');
      if (period !== undefined) token.period = period;
      if (counter !== undefined) token.counter = counter;
      if (cell('username')) token.username = cell('username');
      out.tokens.push({ entry: record.line, token });
    } catch (err) {
      out.refused.push({ entry: record.line, serial, reason: 'invalid', detail: (err as Error).message.startsWith('seed') ? (err as Error).message : `seed or field: ${(err as Error).message}` });
    }
  }
  return out;
}
