import { Inject, Injectable } from '@nestjs/common';
import { usernameInput, UserSummary } from '@twofold/sdk-client';
import { SdkError } from '../errors/sdk-error';
import { SDK_DEPS, SdkDeps } from '../sdk.deps';
import { parseInput } from '../sdk-input';
import { userSummary } from './user-summary';

@Injectable()
export class UsersService {
  constructor(@Inject(SDK_DEPS) private readonly deps: SdkDeps) {}

  async lookup(username: string): Promise<UserSummary> {
    const name = parseInput(usernameInput, username, 'username');
    const user = await this.deps.queries.findUserByUsername(name);
    if (!user) throw new SdkError('unknown_user', `No user "${name}".`);
    const [tokens, settings] = await Promise.all([this.deps.queries.getTokens(user.userId), this.deps.queries.getSettings()]);
    return userSummary(user, tokens, settings, { fullPhones: false });
  }
}
