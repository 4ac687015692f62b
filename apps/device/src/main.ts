import { Command, InvalidArgumentError } from 'commander';
import { MobileServiceError } from './mobile-client';
import { parseActivationUri, TwofoldDevice } from './twofold-device';

// `twofold-device`: a reference phone for the Mobile App Web Service. The key stays in --key-file.
const program = new Command('twofold-device')
  .description('A reference mobile-app device for Twofold: activate, wait for push sign-ins, approve or deny them, signed with a P-256 key kept in a file.')
  .option('--key-file <file>', 'the device\'s key file (made on first use, mode 0600)', process.env.TWOFOLD_DEVICE_KEY_FILE ?? './twofold-device.json')
  .option('--json', 'machine-readable JSON output')
  .exitOverride()
  .configureOutput({ outputError: (message, write) => write(`twofold-device: usage: ${message.replace(/^error: /, '').trimEnd()}\n`) });

const int = (name: string, min: number, max: number) => (raw: string) => {
  if (!/^[0-9]+$/.test(raw) || Number(raw) < min || Number(raw) > max) throw new InvalidArgumentError(`${name} must be a whole number from ${min} to ${max}`);
  return Number(raw);
};

function device(): TwofoldDevice {
  return TwofoldDevice.open(program.opts<{ keyFile: string }>().keyFile);
}

function print(json: unknown, text: string): void {
  process.stdout.write(program.opts<{ json?: boolean }>().json ? `${JSON.stringify(json)}\n` : text);
}

program.command('activate')
  .description('activate this device for a user with the code the User Portal shows')
  .option('--service <url>', 'the Mobile App Web Service URL (the QR code\'s service=..., e.g. https://portal.example.com/mobile/v1)')
  .option('--code <code>', 'the activation code (ABCD-EFGH-JK)')
  .option('--uri <text>', 'the QR code\'s text instead of --service and --code (twofold-activate:?code=...&service=...)')
  .requiredOption('--name <name>', 'a name for this device, shown to the user')
  .option('--push-address <url>', 'an http(s) URL the servers POST a notice to when a sign-in waits (webhook push)')
  .option('--ca <file>', 'CA certificate (PEM) to trust for the service')
  .option('--fingerprint <sha256>', 'pin the service\'s certificate by its SHA-256 fingerprint (a self-signed portal)')
  .action(async (o: { service?: string; code?: string; uri?: string; name: string; pushAddress?: string; ca?: string; fingerprint?: string }) => {
    const { service, code } = o.uri ? parseActivationUri(o.uri) : { service: o.service, code: o.code };
    if (!service || !code) {
      process.stderr.write('twofold-device: usage: give --service and --code, or --uri\n');
      process.exitCode = 64;
      return;
    }
    const activated = await device().activate({ ...o, service, code });
    print(activated, `activated as device ${activated.deviceId} for ${activated.username}\n`);
  });

program.command('wait')
  .description('wait for a push sign-in and show it: the application, where from and the numbers to choose from')
  .option('--timeout <seconds>', 'how long to wait (default 30)', int('--timeout', 0, 3600), 30)
  .action(async (o: { timeout: number }) => {
    const approval = await device().waitForApproval(o.timeout);
    if (!approval) {
      print({ approval: null }, 'no sign-in is waiting\n');
      process.exitCode = 3;
      return;
    }
    const numbers = approval.numberChoices.length ? `pick the number the sign-in shows: ${approval.numberChoices.join('  ')}\n` : 'no number to match (approve or deny)\n';
    print({ approval }, `sign-in to ${approval.application ?? '(no application named)'} from ${approval.from ?? '(unknown)'} at ${approval.requestedAt}\n${numbers}approval id: ${approval.approvalId}\n`);
  });

program.command('approve')
  .description('approve the waiting sign-in (with the number it shows, when it shows one)')
  .option('--number <n>', 'the number the sign-in shows', int('--number', 0, 99))
  .option('--approval <id>', 'which sign-in (default: the first one waiting)')
  .action(async (o: { number?: number; approval?: string }) => {
    const answered = await device().approve({ ...(o.number !== undefined ? { number: o.number } : {}), ...(o.approval ? { approvalId: o.approval } : {}) });
    print(answered, answered.reason === 'number_mismatch' ? 'the number was wrong: the sign-in was denied\n' : `${answered.decision}\n`);
    if (answered.decision !== 'approved') process.exitCode = 4;
  });

program.command('deny')
  .description('deny the waiting sign-in; --not-me also reports it as fraud')
  .option('--not-me', 'this sign-in was not me: report fraud (the account is blocked when the settings say so)')
  .option('--approval <id>', 'which sign-in (default: the first one waiting)')
  .action(async (o: { notMe?: boolean; approval?: string }) => {
    const answered = await device().deny({ notMe: o.notMe === true, ...(o.approval ? { approvalId: o.approval } : {}) });
    print(answered, `${answered.decision}\n`);
  });

program.parseAsync(process.argv).catch((err: unknown) => {
  const e = err as { code?: string; exitCode?: number; message?: string };
  if (typeof e.code === 'string' && e.code.startsWith('commander.')) {
    process.exitCode = e.code === 'commander.helpDisplayed' || e.code === 'commander.version' ? 0 : 64;
    return;
  }
  const code = err instanceof MobileServiceError ? err.code : 'error';
  process.stderr.write(`twofold-device: ${code}: ${e.message ?? String(err)}\n`);
  process.exitCode = err instanceof MobileServiceError && err.status < 500 ? 65 : 69;
});
