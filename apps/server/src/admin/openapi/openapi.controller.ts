import { Controller, Get } from '@nestjs/common';
import { adminOpenApiDocument } from './admin-openapi';

@Controller('admin/v1')
export class OpenApiController {
  private readonly document = adminOpenApiDocument();

  @Get('openapi.json')
  openapi() {
    return this.document;
  }
}
