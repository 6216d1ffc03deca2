import { Controller } from '@nestjs/common';
import { MessagePattern, Payload } from '@nestjs/microservices';
import { ExportPeopleRequest, ExportPerson, PatientExportRequest, PatientExportScope, Rpc } from '@wellifiy/contracts';
import { PatientExportService } from './patient-export.service';

@Controller()
export class PatientExportController {
  constructor(private readonly exports: PatientExportService) {}

  @MessagePattern(Rpc.ChannelsPatientExport)
  scope(@Payload() req: PatientExportRequest): Promise<PatientExportScope> {
    return this.exports.scope(req);
  }

  @MessagePattern(Rpc.ChannelsExportPeople)
  people(@Payload() req: ExportPeopleRequest): Promise<ExportPerson[]> {
    return this.exports.lookup(req.actor, req.userIds);
  }
}
