import { Writable } from 'node:stream';
import { Progress } from './progress';

function fakeStream(tty: boolean) {
  const chunks: string[] = [];
  const stream = new Writable({ write(chunk, _enc, cb) { chunks.push(String(chunk)); cb(); } }) as unknown as NodeJS.WriteStream;
  (stream as { isTTY?: boolean }).isTTY = tty;
  return { stream, text: () => chunks.join('') };
}

describe('Progress', () => {
  it('on a terminal, redraws one line in place and ends it with a newline at the end', () => {
    const { stream, text } = fakeStream(true);
    const sut = new Progress('importing', 4, stream);
    sut.tick();
    sut.update(4);
    sut.finish();
    const frames = text().split('\r').filter(Boolean);
    expect(frames[0]).toMatch(/^importing \[#{8}\.{22}\]\s{2}25% 1\/4 [\d.,]+\/s$/);
    expect(frames[frames.length - 1]).toMatch(/^importing \[#{30}\] 100% 4\/4 [\d.,]+\/s\n$/);
    expect(text()).not.toMatch(/\n./); // one line, no scrolling
  });

  it('elsewhere, writes a plain line at each tenth reached and never claims 100% when abandoned', () => {
    const { stream, text } = fakeStream(false);
    const sut = new Progress('verifying', 20, stream);
    for (let i = 0; i < 7; i++) sut.tick();
    sut.abandon();
    expect(text()).toBe('verifying: 2/20 (10%)\nverifying: 4/20 (20%)\nverifying: 6/20 (30%)\n');
  });

  it('with nothing to do, finishes with one line', () => {
    const { stream, text } = fakeStream(false);
    new Progress('exporting', 0, stream).finish();
    expect(text()).toBe('exporting: 0/0 (100%)\n');
  });
});
