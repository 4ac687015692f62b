import { chmodSync, lstatSync, readdirSync } from 'node:fs';
import { join } from 'node:path';

// The data directory holds the master key, the CA key and the database: only its owner may read
// it, whatever modes an existing directory or an earlier release left behind. Symbolic links are
// not followed (a link may point anywhere; its target is not ours to change).
export function restrictDataDirPermissions(path: string): void {
  chmodSync(path, 0o700);
  for (const name of readdirSync(path)) {
    const entry = join(path, name);
    const stat = lstatSync(entry);
    if (stat.isDirectory()) restrictDataDirPermissions(entry);
    else if (stat.isFile() && (stat.mode & 0o777) !== 0o600) chmodSync(entry, 0o600);
  }
}
