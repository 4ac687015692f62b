import { Controller, Get, UseFilters } from '@nestjs/common';
import { SdkProblemFilter } from '../errors/sdk-problem.filter';
import { sdkOpenApiDocument } from './sdk-openapi';

// The contract, public: it holds no secret and clients generate code from it.
@Controller('sdk/v1')
@UseFilters(SdkProblemFilter)
export class SdkOpenApiController {
  private readonly document = sdkOpenApiDocument();

  @Get('openapi.json')
  get() {
    return this.document;
  }
}
