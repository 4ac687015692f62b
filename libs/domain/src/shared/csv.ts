// RFC 4180 CSV: comma-separated, fields optionally in double quotes ("" is a quote inside them),
// quoted fields may span lines, CRLF or LF line ends. Strict about stray quotes: a file that
// would be read two ways is refused, with its line number.
export interface CsvRecord {
  line: number; // 1-based line on which the record starts
  fields: string[];
}

export class CsvError extends Error {
  constructor(readonly line: number, rule: string) {
    super(`line ${line}: ${rule}`);
  }
}

export function parseCsv(text: string): CsvRecord[] {
  const src = text.charCodeAt(0) === 0xfeff ? text.slice(1) : text;
  const records: CsvRecord[] = [];
  let fields: string[] = [];
  let field = '';
  let line = 1;
  let recordLine = 1;
  let i = 0;
  let quoted = false; // inside a quoted field
  let wasQuoted = false; // the current field was quoted (only a separator may follow its end)

  const endField = () => {
    fields.push(field);
    field = '';
    wasQuoted = false;
  };
  const endRecord = () => {
    // A blank line is no record (a lone empty unquoted field).
    const blank = fields.length === 0 && field === '' && !wasQuoted;
    endField();
    if (!blank) records.push({ line: recordLine, fields });
    fields = [];
  };

  while (i < src.length) {
    const c = src[i];
    if (quoted) {
      if (c === '"') {
        if (src[i + 1] === '"') {
          field += '"';
          i += 2;
          continue;
        }
        quoted = false;
        wasQuoted = true;
        i += 1;
        continue;
      }
      if (c === '\n') line += 1;
      field += c;
      i += 1;
      continue;
    }
    if (c === ',') {
      endField();
      i += 1;
      continue;
    }
    if (c === '\r' || c === '\n') {
      endRecord();
      i += c === '\r' && src[i + 1] === '\n' ? 2 : 1;
      line += 1;
      recordLine = line;
      continue;
    }
    if (wasQuoted) throw new CsvError(line, 'text after a closing quote (a quote inside a field must be doubled: "")');
    if (c === '"') {
      if (field !== '') throw new CsvError(line, 'a quote inside an unquoted field (put the field in quotes and double the quote)');
      quoted = true;
      i += 1;
      continue;
    }
    field += c;
    i += 1;
  }
  if (quoted) throw new CsvError(recordLine, 'a quoted field is not closed');
  if (field !== '' || fields.length > 0 || wasQuoted) endRecord();
  return records;
}
