import { Command } from 'commander';
import { columns } from '../core/output';
import { registerUserItemCommands } from './user-items';

interface DeviceView { deviceId: string; userId: string; name: string; pushAddress: string | null; activatedAt: string }

const DEVICE_COLUMNS = columns<DeviceView>({
  'device id': 'deviceId', name: 'name', activated: 'activatedAt', push: (d) => (d.pushAddress ? 'webhook' : 'poll only'),
});

// `twofold device list|remove`: the mobile-app devices a user activated.
export function registerDeviceCommands(program: Command): void {
  const device = program.command('device').description('manage users\' mobile-app devices (push approvals)');
  registerUserItemCommands(device, {
    noun: 'device', path: 'devices', idArg: 'deviceId', columns: DEVICE_COLUMNS,
    listDescription: 'list a user\'s activated devices',
    removeDescription: 'remove a device: it can no longer see or answer push sign-ins',
  });
}
