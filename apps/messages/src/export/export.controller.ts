import { Controller, UseInterceptors } from '@nestjs/common';
import { MessagePattern, Payload } from '@nestjs/microservices';
import { ExportPage, ExportPageRequest, Rpc } from '@wellifiy/contracts';
import { ReadAuditInterceptor } from '../audit/read-audit.interceptor';
import { ExportService } from './export.service';

@Controller()
export class ExportController {
  constructor(private readonly exports: ExportService) {}

  /** Each page read for an export is a read access like any timeline read (who, which channel, which seqs). */
  @MessagePattern(Rpc.MessagesExportPage)
  @UseInterceptors(ReadAuditInterceptor)
  page(@Payload() req: ExportPageRequest): Promise<ExportPage> {
    return this.exports.page(req);
  }
}
