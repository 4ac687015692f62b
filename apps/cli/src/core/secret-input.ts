import { CliError } from './cli-error';
import { ExitCode } from './exit-codes';

export interface SecretSource {
  value?: string;        // given on the command line (lands in shell history: documented)
  fromStdin?: boolean;   // --pin-stdin and friends: first line of standard input
  name: string;          // "PIN", "password", "shared secret"
  flag: string;          // the --x-stdin flag to name in errors
  confirm?: boolean;     // ask twice at a prompt
}

export async function readStdinText(): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of process.stdin) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}

// One secret, from the flag, from stdin, or from a prompt that does not echo.
export async function readSecret(src: SecretSource): Promise<string> {
  if (src.value !== undefined && src.fromStdin) throw CliError.usage(`give the ${src.name} either on the command line or with ${src.flag}, not both`);
  if (src.value !== undefined) return src.value;
  if (src.fromStdin) {
    const first = (await readStdinText()).split(/\r?\n/)[0];
    if (first === '') throw CliError.usage(`${src.flag}: standard input held no ${src.name}`);
    return first;
  }
  if (!process.stdin.isTTY) throw CliError.usage(`no ${src.name} given: use ${src.flag} (reads standard input) or run in a terminal to be asked`);
  const first = await promptHidden(`${src.name}: `);
  if (src.confirm) {
    const again = await promptHidden(`${src.name} again: `);
    if (again !== first) throw CliError.usage(`the two ${src.name} entries differ`);
  }
  return first;
}

function promptHidden(question: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const stdin = process.stdin;
    process.stderr.write(question);
    stdin.setRawMode(true);
    stdin.resume();
    let value = '';
    const finish = (err?: Error) => {
      stdin.setRawMode(false);
      stdin.pause();
      stdin.off('data', onData);
      process.stderr.write('\n');
      if (err) reject(err);
      else resolve(value);
    };
    const onData = (data: Buffer) => {
      for (const ch of data.toString('utf8')) {
        if (ch === '\r' || ch === '\n' || ch === '\u0004') return finish();
        if (ch === '\u0003') return finish(new CliError('interrupted', 'interrupted at the prompt', ExitCode.General));
        if (ch === '\u007f' || ch === '\b') value = value.slice(0, -1);
        else value += ch;
      }
    };
    stdin.on('data', onData);
  });
}
