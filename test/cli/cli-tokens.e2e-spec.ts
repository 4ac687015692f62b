import { twofold } from '../support/cli';
import { ServerProcess } from '../support/server-process';

// Administrator and join tokens never need to be on the command line, where `ps` shows them.
describe('tokens from the environment or standard input, not the command line', () => {
  let server: ServerProcess;
  beforeAll(async () => {
    server = await ServerProcess.start();
  });
  afterAll(() => server?.stop());

  const env = () => ({ TWOFOLD_URL: server.url, TWOFOLD_DATA_DIR: server.dataDir });

  it('`--token -` reads the administrator token from standard input', async () => {
    const r = await twofold(['--token', '-', '--json', 'user', 'add', 'dora'], { env: env(), input: `${server.adminToken}\n` });
    expect({ code: r.code, stderr: r.stderr }).toEqual({ code: 0, stderr: '' });
    expect(r.json().username).toBe('dora');
  });

  it('the token is the first line: the rest of standard input still reaches --pin-stdin', async () => {
    const r = await twofold(['--token', '-', 'user', 'set-pin', 'dora', '--pin-stdin'], { env: env(), input: `${server.adminToken}\n482915\n` });
    expect({ code: r.code, stderr: r.stderr }).toEqual({ code: 0, stderr: '' });
    const shown = await server.api('GET', '/admin/v1/users/dora');
    expect(shown.body.hasPin).toBe(true);
  });

  it('empty standard input is a clear usage error, not a request with "-" as the token', async () => {
    const r = await twofold(['--token', '-', 'status'], { env: env(), input: '' });
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/^twofold: usage: --token -: standard input held no token/);
  });

  it('`--help` says how to keep tokens out of the process list', async () => {
    const help = await twofold(['--help']);
    expect(help.stdout).toMatch(/--token - to read it from standard input/);
    expect(help.stdout).toContain('TWOFOLD_JOIN_TOKEN');
    const join = await twofold(['join', '--help']);
    expect(join.stdout).toMatch(/"-" reads it from standard input/);
  });
});
