import { Writable } from 'node:stream';
import { createLogger } from './logger';

describe('createLogger', () => {
  it('writes JSON lines with secrets redacted wherever they sit', () => {
    const lines: string[] = [];
    const destination = new Writable({ write(chunk, _enc, cb) { lines.push(chunk.toString()); cb(); } });
    const logger = createLogger({ destination, nodeName: 'n1' });
    logger.info({ user: 'alice', pin: '4821', body: { password: 'hunter2', nested: { seed: 'JBSWY3DP' } } }, 'pin changed');
    const entry = JSON.parse(lines[0]);
    expect(entry.msg).toBe('pin changed');
    expect(entry.node).toBe('n1');
    expect(entry.user).toBe('alice');
    expect(lines[0]).not.toMatch(/4821|hunter2|JBSWY3DP/);
  });
});
