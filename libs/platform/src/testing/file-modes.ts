import { readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';

// Every entry below `root` with its permission bits in octal, e.g. { '.': '700', 'tls': '700', 'tls/ca.pem': '600' }.
export function fileModes(root: string): Record<string, string> {
  const out: Record<string, string> = {};
  const walk = (dir: string, rel: string) => {
    out[rel || '.'] = (statSync(dir).mode & 0o777).toString(8);
    for (const name of readdirSync(dir)) {
      const path = join(dir, name);
      if (statSync(path).isDirectory()) walk(path, join(rel, name));
      else out[join(rel, name)] = (statSync(path).mode & 0o777).toString(8);
    }
  };
  walk(root, '');
  return out;
}
