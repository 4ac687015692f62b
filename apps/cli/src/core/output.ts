// What commands print: JSON for scripts (--json), aligned tables and "key: value" blocks for people.
export interface Column<T> {
  header: string;
  value: (row: T) => unknown;
}

// Columns by header, in order: the field shown as it is, or how to show the row.
export function columns<T>(spec: Record<string, (keyof T & string) | ((row: T) => unknown)>): Column<T>[] {
  return Object.entries(spec).map(([header, show]) => ({ header, value: typeof show === 'function' ? show : (row: T) => row[show] }));
}

export function text(value: unknown): string {
  if (value === null || value === undefined) return '-';
  if (typeof value === 'boolean') return value ? 'yes' : 'no';
  if (Array.isArray(value)) return value.length ? value.map(text).join(', ') : '-';
  if (typeof value === 'object') return JSON.stringify(value);
  const s = String(value);
  return s === '' ? '-' : s.replace(/[\r\n\t]+/g, ' ');
}

export function renderTable<T>(rows: T[], columns: Column<T>[]): string {
  const cells = rows.map((r) => columns.map((c) => text(c.value(r))));
  const widths = columns.map((c, i) => Math.max(c.header.length, ...cells.map((row) => row[i].length)));
  const line = (values: string[]) => values.map((v, i) => (i === values.length - 1 ? v : v.padEnd(widths[i]))).join('  ').trimEnd();
  return [line(columns.map((c) => c.header.toUpperCase())), ...cells.map(line)].join('\n') + '\n';
}

export function renderRecord(entries: Array<[string, unknown]>): string {
  const width = Math.max(0, ...entries.map(([k]) => k.length));
  return entries.map(([k, v]) => `${`${k}:`.padEnd(width + 1)} ${text(v)}`).join('\n') + '\n';
}

export class Output {
  constructor(readonly json: boolean, private readonly out: NodeJS.WritableStream = process.stdout) {}

  write(s: string): void {
    this.out.write(s);
  }

  line(s = ''): void {
    this.out.write(`${s}\n`);
  }

  data(value: unknown): void {
    this.out.write(`${JSON.stringify(value, null, 2)}\n`);
  }

  // JSON when asked for, else the human rendering.
  result(value: unknown, human: () => string): void {
    if (this.json) this.data(value);
    else this.write(human());
  }

  table<T>(rows: T[], columns: Column<T>[], empty = '(none)'): void {
    if (this.json) return this.data(rows);
    this.write(rows.length ? renderTable(rows, columns) : `${empty}\n`);
  }
}
