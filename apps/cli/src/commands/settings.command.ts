import { Command } from 'commander';
import { intOption, run } from '../core/context';
import { columns, renderTable } from '../core/output';
import { assignmentsToObject, flatten } from '../core/settings-keys';
import { ifMatch } from './users.command';

const SETTING_COLUMNS = columns<[string, unknown]>({ key: ([k]) => k, value: ([, v]) => (typeof v === 'string' ? v : JSON.stringify(v)) });

export function registerSettingsCommands(program: Command): void {
  const settings = program.command('settings').description('show and change the cluster settings');

  settings.command('show').description('show every setting as key = value')
    .action(run(async (ctx) => {
      const current = await ctx.api.get<Record<string, unknown>>('/admin/v1/settings');
      ctx.out.result(current, () => renderTable(flatten(current), SETTING_COLUMNS));
    }));

  settings.command('set <key=value...>').summary('change settings: key=value with dotted keys')
    .description('change settings, e.g. `settings set lockout.failuresBeforeLockout=3 pin.minLength=6`; values are read as JSON when they are JSON (3, true, "text"), else as text')
    .option('--if-match <version>', 'only if the settings are still at this version (from `settings show`)', intOption('--if-match', 0, 999_999_999))
    .action(run(async (ctx, assignments: string[], o: { ifMatch?: number }) => {
      const changes = assignmentsToObject(assignments);
      const updated = await ctx.api.send<Record<string, unknown>>('PATCH', '/admin/v1/settings', changes, ifMatch(o.ifMatch));
      const changedKeys = new Set(flatten(changes).map(([k]) => k));
      ctx.out.result(updated, () => `settings updated (version ${String(updated.version)})\n` +
        renderTable(flatten(updated).filter(([k]) => changedKeys.has(k)), SETTING_COLUMNS));
    }));
}
