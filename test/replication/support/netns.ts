import { spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

function ip(args: string[], ns?: string): { ok: boolean; out: string } {
  const full = ns ? ['netns', 'exec', ns, 'ip', ...args] : args;
  const r = spawnSync('ip', full, { encoding: 'utf8' });
  return { ok: r.status === 0, out: `${r.stdout ?? ''}${r.stderr ?? ''}` };
}

function must(args: string[], ns?: string): void {
  const r = ip(args, ns);
  if (!r.ok) throw new Error(`ip ${ns ? `(in ${ns}) ` : ''}${args.join(' ')}: ${r.out.trim()}`);
}

export interface NetNode { name: string; ns: string; address: string; prefix: string[] }

// A bridge in the test's own namespace and one network namespace per node, each with a veth on the
// bridge. The test (its clients) reaches every node through the bridge; a partition is a blackhole
// route between two namespaces, so clients still reach both sides. Everything is removed by close().
export class TestNetwork {
  readonly nodes = new Map<string, NetNode>();
  readonly gateway: string;
  private readonly bridge: string;
  private readonly subnet: number;

  private constructor(private readonly tag: string) {
    this.bridge = `tfbr${tag}`;
    this.subnet = claimSubnet();
    this.gateway = `10.231.${this.subnet}.1`;
  }

  // Whether this machine can build namespaces, without touching the host's own interfaces or
  // addresses (a Chromium spec may be running beside this one: see network-turn.ts).
  static probe(): { ok: true } | { unavailable: string } {
    const ns = `tfprobe${randomBytes(3).toString('hex')}`;
    try {
      must(['netns', 'add', ns]);
      must(['link', 'set', 'lo', 'up'], ns);
      return { ok: true };
    } catch (err) {
      return { unavailable: (err as Error).message };
    } finally {
      ip(['netns', 'del', ns]);
    }
  }

  // Null (and why) when this machine cannot build namespaces: not root, no `ip`, no netns support.
  static create(): { net: TestNetwork } | { unavailable: string } {
    const net = new TestNetwork(randomBytes(2).toString('hex'));
    try {
      must(['link', 'add', net.bridge, 'type', 'bridge']);
      must(['addr', 'add', `${net.gateway}/24`, 'dev', net.bridge]);
      must(['link', 'set', net.bridge, 'up']);
      return { net };
    } catch (err) {
      net.close();
      return { unavailable: (err as Error).message };
    }
  }

  addNode(name: string): NetNode {
    const index = this.nodes.size + 10;
    const ns = `tf${this.tag}${name}`;
    const address = `10.231.${this.subnet}.${index}`;
    const host = `tv${this.tag}${index}`;
    must(['netns', 'add', ns]);
    must(['link', 'add', host, 'type', 'veth', 'peer', 'name', 'eth0', 'netns', ns]);
    must(['link', 'set', host, 'master', this.bridge]);
    must(['link', 'set', host, 'up']);
    must(['addr', 'add', `${address}/24`, 'dev', 'eth0'], ns);
    must(['link', 'set', 'eth0', 'up'], ns);
    must(['link', 'set', 'lo', 'up'], ns);
    const node = { name, ns, address, prefix: ['ip', 'netns', 'exec', ns] };
    this.nodes.set(name, node);
    return node;
  }

  // Packets between a and b are dropped both ways (connections hang, as on a real network).
  cut(a: string, b: string): void {
    const na = this.nodes.get(a)!;
    const nb = this.nodes.get(b)!;
    must(['route', 'add', 'blackhole', `${nb.address}/32`], na.ns);
    must(['route', 'add', 'blackhole', `${na.address}/32`], nb.ns);
  }

  heal(a: string, b: string): void {
    const na = this.nodes.get(a)!;
    const nb = this.nodes.get(b)!;
    ip(['route', 'del', 'blackhole', `${nb.address}/32`], na.ns);
    ip(['route', 'del', 'blackhole', `${na.address}/32`], nb.ns);
  }

  close(): void {
    for (const node of this.nodes.values()) ip(['netns', 'del', node.ns]);
    ip(['link', 'del', this.bridge]);
    this.nodes.clear();
    rmSync(claimPath(this.subnet), { recursive: true, force: true });
  }
}

// Two networks built at once (spec files side by side) must not share a subnet: each claims one by
// creating a directory (atomic); a claim whose process is gone is taken over.
const claimPath = (subnet: number) => join(tmpdir(), `twofold-netns-subnet-${subnet}`);
function claimSubnet(): number {
  const start = randomBytes(1)[0];
  for (let i = 0; i < 150; i++) {
    const subnet = 100 + ((start + i) % 150);
    const path = claimPath(subnet);
    try {
      mkdirSync(path);
    } catch {
      let owner = 0;
      try { owner = Number(readFileSync(join(path, 'pid'), 'utf8')); } catch { /* being written */ continue; }
      if (alive(owner)) continue;
      rmSync(path, { recursive: true, force: true });
      try { mkdirSync(path); } catch { continue; }
    }
    writeFileSync(join(path, 'pid'), String(process.pid));
    return subnet;
  }
  throw new Error('no free 10.231.x.0/24 subnet for a test network');
}

function alive(pid: number): boolean {
  if (!pid) return false;
  try { process.kill(pid, 0); return true; } catch { return false; }
}
