import { ChildProcess, execFileSync, spawn } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort } from './ports';

export const SLAPD = '/usr/sbin/slapd';
export const SLAPADD = '/usr/sbin/slapadd';
export const hasSlapd = existsSync(SLAPD) && existsSync(SLAPADD) && existsSync('/etc/ldap/schema/inetorgperson.schema');

export const LDAP_SUFFIX = 'dc=example,dc=org';

export interface LdapPerson { uid: string; password: string }

// A throw-away OpenLDAP: its own config, database and TLS certificate (IP SAN 127.0.0.1, signed by
// a test CA in caPath) in a temp directory, listening on ldap:// and ldaps:// on free ports.
export class Slapd {
  private constructor(
    private readonly child: ChildProcess,
    readonly dir: string,
    readonly ldapPort: number,
    readonly ldapsPort: number,
  ) {}

  get caPath(): string {
    return join(this.dir, 'ca.pem');
  }

  get ldapUrl(): string {
    return `ldap://127.0.0.1:${this.ldapPort}`;
  }

  get ldapsUrl(): string {
    return `ldaps://127.0.0.1:${this.ldapsPort}`;
  }

  // extraLdif: more entries (LDIF records without the blank line between them), e.g. groups.
  static async start(people: LdapPerson[], service: LdapPerson & { cn: string }, extraLdif: string[] = []): Promise<Slapd> {
    const dir = mkdtempSync(join(tmpdir(), 'twofold-slapd-'));
    mkdirSync(join(dir, 'db'));
    const openssl = (args: string[]) => execFileSync('openssl', args, { cwd: dir, stdio: 'ignore' });
    openssl(['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-keyout', 'ca.key', '-out', 'ca.pem', '-days', '2', '-subj', '/CN=Twofold test LDAP CA']);
    openssl(['req', '-newkey', 'rsa:2048', '-nodes', '-keyout', 'server.key', '-out', 'server.csr', '-subj', '/CN=127.0.0.1']);
    writeFileSync(join(dir, 'san.ext'), 'subjectAltName=IP:127.0.0.1,DNS:localhost\n');
    openssl(['x509', '-req', '-in', 'server.csr', '-CA', 'ca.pem', '-CAkey', 'ca.key', '-CAcreateserial', '-out', 'server.pem', '-days', '2', '-extfile', 'san.ext']);
    const conf = join(dir, 'slapd.conf');
    writeFileSync(conf, [
      'include /etc/ldap/schema/core.schema',
      'include /etc/ldap/schema/cosine.schema',
      'include /etc/ldap/schema/inetorgperson.schema',
      `pidfile ${join(dir, 'slapd.pid')}`,
      'modulepath /usr/lib/ldap',
      'moduleload back_mdb',
      `TLSCACertificateFile ${join(dir, 'ca.pem')}`,
      `TLSCertificateFile ${join(dir, 'server.pem')}`,
      `TLSCertificateKeyFile ${join(dir, 'server.key')}`,
      'database mdb',
      `suffix "${LDAP_SUFFIX}"`,
      `rootdn "cn=admin,${LDAP_SUFFIX}"`,
      'rootpw admin-not-used',
      `directory ${join(dir, 'db')}`,
      'maxsize 10485760',
      '',
    ].join('\n'));
    const entries = [
      `dn: ${LDAP_SUFFIX}\nobjectClass: dcObject\nobjectClass: organization\ndc: example\no: Example`,
      `dn: ou=people,${LDAP_SUFFIX}\nobjectClass: organizationalUnit\nou: people`,
      `dn: cn=${service.cn},${LDAP_SUFFIX}\nobjectClass: inetOrgPerson\ncn: ${service.cn}\nsn: service\nuid: ${service.uid}\nuserPassword: ${service.password}`,
      ...people.map((p) => `dn: uid=${p.uid},ou=people,${LDAP_SUFFIX}\nobjectClass: inetOrgPerson\nuid: ${p.uid}\ncn: ${p.uid}\nsn: ${p.uid}\nuserPassword: ${p.password}`),
      ...extraLdif,
    ];
    writeFileSync(join(dir, 'data.ldif'), entries.join('\n\n') + '\n');
    execFileSync(SLAPADD, ['-f', conf, '-l', join(dir, 'data.ldif')], { stdio: 'ignore' });
    const ldapPort = await freePort();
    const ldapsPort = await freePort();
    // -d 0: stay in the foreground so the test owns the process.
    const child = spawn(SLAPD, ['-f', conf, '-h', `ldap://127.0.0.1:${ldapPort}/ ldaps://127.0.0.1:${ldapsPort}/`, '-d', '0'], { stdio: 'ignore' });
    const slapd = new Slapd(child, dir, ldapPort, ldapsPort);
    await slapd.waitForPort(ldapPort);
    await slapd.waitForPort(ldapsPort);
    return slapd;
  }

  private async waitForPort(port: number, timeoutMs = 10_000): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      if (this.child.exitCode !== null) throw new Error(`slapd exited with ${this.child.exitCode}`);
      const open = await new Promise<boolean>((resolve) => {
        const socket = connect(port, '127.0.0.1', () => { socket.destroy(); resolve(true); });
        socket.on('error', () => resolve(false));
      });
      if (open) return;
      if (Date.now() > deadline) throw new Error(`slapd did not listen on ${port}`);
      await new Promise((r) => setTimeout(r, 50));
    }
  }

  // A hanging directory server: SIGSTOP leaves its sockets open (the kernel still accepts
  // connections) while nothing answers. resume() lets it go on.
  pause(): void {
    this.child.kill('SIGSTOP');
    this.paused = true;
  }

  resume(): void {
    this.child.kill('SIGCONT');
    this.paused = false;
  }

  private paused = false;

  async stop(): Promise<void> {
    if (this.child.exitCode === null && this.child.signalCode === null) {
      const exited = new Promise((resolve) => this.child.once('exit', resolve));
      this.child.kill('SIGTERM');
      if (this.paused) this.resume(); // a stopped process acts on SIGTERM once it runs again
      await exited;
    }
  }

  async cleanup(): Promise<void> {
    await this.stop();
    rmSync(this.dir, { recursive: true, force: true });
  }
}
