// How a fold's state is kept as a snapshot (the event store's stream_snapshot row): a name, a
// version of the state's shape and meaning, and the text both ways. decode answers null for text
// it does not recognise: the caller then folds the stream from its first record.
export interface StateSnapshotCodec<S> {
  fold: string;
  version: number;
  encode(state: S): string;
  decode(text: string): S | null;
}

type Kind = 'string' | 'number' | 'boolean' | 'object' | 'array' | 'null';

const kindOf = (v: unknown): Kind => (v === null ? 'null' : Array.isArray(v) ? 'array' : (typeof v as Kind));

// JSON of a plain-data state, read back only when every field of `initial` is there with the same
// kind (a field that starts null may hold anything). A field renamed, dropped or retyped since the
// snapshot was written makes it unrecognised even if someone forgot to bump the version.
export function jsonSnapshotCodec<S extends object>(fold: string, version: number, initial: S, check: (state: S) => boolean = () => true): StateSnapshotCodec<S> {
  const fields = Object.entries(initial).map(([key, value]) => [key, kindOf(value)] as const);
  return {
    fold,
    version,
    encode: (state) => JSON.stringify(state),
    decode(text) {
      let parsed: unknown;
      try {
        parsed = JSON.parse(text);
      } catch {
        return null;
      }
      if (kindOf(parsed) !== 'object') return null;
      const state = parsed as Record<string, unknown>;
      for (const [key, kind] of fields) {
        if (!(key in state)) return null;
        if (kind !== 'null' && kindOf(state[key]) !== kind) return null;
      }
      return check(parsed as S) ? (parsed as S) : null;
    },
  };
}
