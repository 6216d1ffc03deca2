import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { Controller, Get, Logger, Param, Query, Req, Res } from '@nestjs/common';
import { ApiBearerAuth, ApiOkResponse, ApiTags } from '@nestjs/swagger';
import type { Request, Response } from 'express';
import { Actor, Rpc } from '@wellifiy/contracts';
import { currentCorrelationId, RpcClient } from '@wellifiy/messaging';
import { CurrentActor } from '../auth/current-actor.decorator';
import { ApiErrors, COMMON_ERRORS } from '../docs/error.view';
import { FHIR_JSON } from './fhir-bundle';
import { fhirBundleChunks } from './patient-export';
import { PatientExportParams, PatientExportQuery } from './patient-export.dto';

const BUNDLE_SCHEMA = {
  type: 'object',
  description: 'A FHIR R4 Bundle (type collection) of Communication resources; the mapping is in docs/fhir-export.md',
  properties: {
    resourceType: { type: 'string', enum: ['Bundle'] },
    id: { type: 'string' },
    type: { type: 'string', enum: ['collection'] },
    timestamp: { type: 'string', format: 'date-time' },
    entry: { type: 'array', items: { type: 'object', description: '{ fullUrl, resource: Communication }', additionalProperties: true } },
  },
  required: ['resourceType', 'type', 'entry'],
  additionalProperties: true,
};

/** A patient's conversations for the chart, for compliance officers (audit:read, checked by the services). */
@ApiTags('admin')
@ApiBearerAuth()
@ApiErrors(...COMMON_ERRORS)
@Controller('v1/admin/patients')
export class PatientExportController {
  private readonly logger = new Logger('PatientExport');

  constructor(private readonly rpc: RpcClient) {}

  /**
   * The patient's care-team, service-team and group conversations (staff channels too with `includeStaff=true`) as one
   * FHIR R4 Bundle of Communication resources, streamed. The export is recorded in the audit trail (`patient.exported`).
   * 404 for a patient the organisation does not know.
   */
  @ApiOkResponse({ description: 'A FHIR R4 Bundle (application/fhir+json)', content: { [FHIR_JSON]: { schema: BUNDLE_SCHEMA } } })
  @ApiErrors(400, 404)
  @Get(':patientId/export')
  async export(
    @CurrentActor() actor: Actor,
    @Param() p: PatientExportParams,
    @Query() q: PatientExportQuery,
    @Req() req: Request,
    @Res() res: Response,
  ): Promise<void> {
    const correlationId = currentCorrelationId();
    // Refusals (403, 404) come from here, before anything is written.
    const scope = await this.rpc.send(Rpc.ChannelsPatientExport, { actor, patientId: p.patientId, includeStaff: q.includeStaff ?? false }, { correlationId });
    res.status(200).set({ 'content-type': `${FHIR_JSON}; charset=utf-8`, 'cache-control': 'private, no-store' });
    const baseUrl = `${req.protocol}://${req.get('host') ?? 'localhost'}`;
    try {
      await pipeline(Readable.from(fhirBundleChunks({ rpc: this.rpc, actor, scope, baseUrl, correlationId })), res);
    } catch (err) {
      // The status is sent: a failure now can only cut the body short (not valid JSON), never pass as a whole Bundle.
      this.logger.warn(`patient export cut short (correlation id ${correlationId}): ${(err as Error).message}`);
      res.destroy();
    }
  }
}
