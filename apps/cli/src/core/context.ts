import { existsSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { rootCertificates } from 'node:tls';
import type { Command } from 'commander';
import { AdminClient } from './admin-client';
import { CliError } from './cli-error';
import { Output } from './output';
import { tokenFromStdin } from './secret-input';

export interface GlobalOptions {
  url: string;
  token?: string;
  ca?: string;
  dataDir: string;
  json?: boolean;
}

// What every command gets: its output, the admin API client (made on first use) and the data dir.
export class CliContext {
  readonly out: Output;
  private apiClient?: AdminClient;

  constructor(readonly options: GlobalOptions) {
    this.out = new Output(Boolean(options.json));
  }

  static of(command: Command): CliContext {
    return new CliContext(command.optsWithGlobals<GlobalOptions>());
  }

  get dataDir(): string {
    return resolve(this.options.dataDir);
  }

  get api(): AdminClient {
    this.apiClient ??= new AdminClient({ url: this.options.url, token: this.options.token, ca: this.caBundle() });
    return this.apiClient;
  }

  // --ca / TWOFOLD_CA_FILE (exactly that), else the cluster CA in the data directory and the
  // system's CAs (a node may serve an enterprise certificate on its HTTPS port), else the system's.
  caBundle(): Array<string | Buffer> | undefined {
    const extra = this.caFile();
    if (extra) return [extra];
    const inDataDir = join(this.dataDir, 'tls', 'ca.pem');
    return existsSync(inDataDir) ? [readFileSync(inDataDir), ...rootCertificates] : undefined;
  }

  caFile(): Buffer | undefined {
    if (!this.options.ca) return undefined;
    try {
      return readFileSync(this.options.ca);
    } catch (err) {
      throw CliError.usage(`cannot read the CA file ${this.options.ca} (${(err as NodeJS.ErrnoException).code ?? 'error'})`, 'ca');
    }
  }

  close(): void {
    this.apiClient?.close();
  }
}

// Wraps an action so it gets its context and always releases the HTTPS agent.
export function run<A extends unknown[]>(fn: (ctx: CliContext, ...args: A) => Promise<void>) {
  return async (...args: unknown[]) => {
    const command = args[args.length - 1] as Command;
    const ctx = CliContext.of(command);
    try {
      ctx.options.token = await tokenFromStdin(ctx.options.token, '--token');
      await fn(ctx, ...(args.slice(0, -1) as A));
    } finally {
      ctx.close();
    }
  };
}

export function intOption(name: string, min: number, max: number) {
  return (raw: string): number => {
    const n = Number(raw);
    if (!/^\d+$/.test(raw.trim()) || !Number.isSafeInteger(n) || n < min || n > max) {
      throw CliError.usage(`${name} must be a whole number from ${min} to ${max}`, name.replace(/^--/, ''));
    }
    return n;
  };
}

// A repeatable option: each use adds one value.
export const collect = (value: string, previous: string[] = []) => [...previous, value];

// The options given, under the same names, as a request body: one left out is not sent.
export function givenOptions<O extends object>(o: O, keys: ReadonlyArray<keyof O & string>): Record<string, unknown> {
  const body: Record<string, unknown> = {};
  for (const key of keys) if (o[key] !== undefined) body[key] = o[key];
  return body;
}
