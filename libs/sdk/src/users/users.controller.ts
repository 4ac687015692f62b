import { Param } from '@nestjs/common';
import { SdkController, SdkRoute } from '../auth/sdk-route';
import { UsersService } from './users.service';

@SdkController('sdk/v1/users')
export class UsersController {
  constructor(private readonly service: UsersService) {}

  @SdkRoute('get', ':username', 'users:read')
  get(@Param('username') username: string) {
    return this.service.lookup(username);
  }
}
