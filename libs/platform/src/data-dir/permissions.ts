import { chmodSync, lstatSync, readdirSync } from 'node:fs';
import { join } from 'node:path';

export class DataDirPermissionError extends Error {
  readonly code = 'data_dir_invalid';
}

function chmod(path: string, mode: number): void {
  try {
    chmodSync(path, mode);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code ?? 'error';
    throw new DataDirPermissionError(`cannot make ${path} private (${code}): it must belong to the user that runs Twofold`);
  }
}

// The data directory holds the master key, the CA key and the database: only its owner may read
// it, whatever modes an existing directory or an earlier release left behind. Symbolic links are
// not followed (a link may point anywhere; its target is not ours to change).
export function restrictDataDirPermissions(path: string): void {
  if ((lstatSync(path).mode & 0o777) !== 0o700) chmod(path, 0o700);
  for (const name of readdirSync(path)) {
    const entry = join(path, name);
    const stat = lstatSync(entry);
    if (stat.isDirectory()) restrictDataDirPermissions(entry);
    else if (stat.isFile() && (stat.mode & 0o777) !== 0o600) chmod(entry, 0o600);
  }
}
