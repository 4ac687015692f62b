import { ExitCode, exitCodeForStatus } from './exit-codes';

describe('exit codes', () => {
  it('map HTTP statuses the way `twofold --help` documents them', () => {
    expect([400, 413, 415, 404, 409, 412, 401, 403, 500, 503].map(exitCodeForStatus)).toEqual([3, 3, 3, 4, 5, 5, 6, 6, 7, 7]);
  });

  it('never change their numbers (scripts depend on them)', () => {
    expect({ ...ExitCode }).toMatchObject({ Ok: 0, General: 1, Usage: 2, Validation: 3, NotFound: 4, Conflict: 5, Unauthenticated: 6, Unavailable: 7, LogBroken: 8 });
  });
});
