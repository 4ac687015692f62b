// The base of a layer's typed failure (the log's, replication's): a stable string `code` from that
// layer's own union, which each transport maps once, and details that are safe to log.
export abstract class TypedError<Code extends string> extends Error {
  constructor(
    readonly code: Code,
    message: string,
    readonly details: Record<string, unknown> = {},
  ) {
    super(message);
    this.name = new.target.name;
  }
}

// The `isXError(err, code?)` guard of a TypedError class: an instance of it and, when given, that code.
export function typedErrorGuard<E extends TypedError<string>>(kind: abstract new (...args: never[]) => E) {
  return (err: unknown, code?: E['code']): err is E => err instanceof kind && (code === undefined || err.code === code);
}
