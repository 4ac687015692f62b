import { Command } from 'commander';
import { seg } from '../core/admin-client';
import { run } from '../core/context';
import type { Column } from '../core/output';

interface DeviceView { deviceId: string; userId: string; name: string; pushAddress: string | null; activatedAt: string }

const DEVICE_COLUMNS: Column<DeviceView>[] = [
  { header: 'device id', value: (d) => d.deviceId },
  { header: 'name', value: (d) => d.name },
  { header: 'activated', value: (d) => d.activatedAt },
  { header: 'push', value: (d) => (d.pushAddress ? 'webhook' : 'poll only') },
];

// `twofold device list|remove`: the mobile-app devices a user activated.
export function registerDeviceCommands(program: Command): void {
  const device = program.command('device').description('manage users\' mobile-app devices (push approvals)');

  device.command('list <user>').description('list a user\'s activated devices')
    .action(run(async (ctx, ref: string) => {
      ctx.out.table(await ctx.api.get<DeviceView[]>(`/admin/v1/users/${seg(ref)}/devices`), DEVICE_COLUMNS, '(no devices)');
    }));

  device.command('remove <user> <deviceId>').description('remove a device: it can no longer see or answer push sign-ins')
    .action(run(async (ctx, ref: string, deviceId: string) => {
      await ctx.api.send('DELETE', `/admin/v1/users/${seg(ref)}/devices/${seg(deviceId)}`);
      ctx.out.result({ removed: deviceId, user: ref }, () => `removed device ${deviceId} from ${ref}\n`);
    }));
}
