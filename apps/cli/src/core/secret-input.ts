import { CliError } from './cli-error';
import { ExitCode } from './exit-codes';

export interface SecretSource {
  value?: string;        // given on the command line (lands in shell history: documented)
  fromStdin?: boolean;   // --pin-stdin and friends: first line of standard input
  name: string;          // "PIN", "password", "shared secret"
  flag: string;          // the --x-stdin flag to name in errors
  confirm?: boolean;     // ask twice at a prompt
}

// Standard input is read once; `--token -` takes its first line and the rest (a PIN, a CSV)
// is left for whoever reads next.
let stdinText: Promise<string> | undefined;
let stdinConsumed = 0;

async function wholeStdin(): Promise<string> {
  stdinText ??= (async () => {
    const chunks: Buffer[] = [];
    for await (const chunk of process.stdin) chunks.push(chunk as Buffer);
    return Buffer.concat(chunks).toString('utf8');
  })();
  return stdinText;
}

export async function readStdinText(): Promise<string> {
  return (await wholeStdin()).slice(stdinConsumed);
}

// The next line of standard input (without its line break), consumed.
export async function takeStdinLine(): Promise<string> {
  const rest = await readStdinText();
  const m = /\r?\n/.exec(rest);
  const line = m ? rest.slice(0, m.index) : rest;
  stdinConsumed += m ? m.index + m[0].length : rest.length;
  return line;
}

// A token given as "-" is read from standard input, so it never shows in `ps` or shell history.
export async function tokenFromStdin(value: string | undefined, flag: string): Promise<string | undefined> {
  if (value !== '-') return value;
  const line = (await takeStdinLine()).trim();
  if (line === '') throw CliError.usage(`${flag} -: standard input held no token`, flag.replace(/^--/, ''));
  return line;
}

// One secret, from the flag, from stdin, or from a prompt that does not echo.
export async function readSecret(src: SecretSource): Promise<string> {
  if (src.value !== undefined && src.fromStdin) throw CliError.usage(`give the ${src.name} either on the command line or with ${src.flag}, not both`);
  if (src.value !== undefined) return src.value;
  if (src.fromStdin) {
    const first = await takeStdinLine();
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
