import { Controller, Get, Param, UseFilters, UseGuards } from '@nestjs/common';
import { SdkAuthGuard } from '../auth/sdk-auth.guard';
import { RequireScope } from '../auth/sdk-principal';
import { SdkProblemFilter } from '../errors/sdk-problem.filter';
import { UsersService } from './users.service';

@Controller('sdk/v1/users')
@UseGuards(SdkAuthGuard)
@UseFilters(SdkProblemFilter)
export class UsersController {
  constructor(private readonly service: UsersService) {}

  @Get(':username')
  @RequireScope('users:read')
  get(@Param('username') username: string) {
    return this.service.lookup(username);
  }
}
