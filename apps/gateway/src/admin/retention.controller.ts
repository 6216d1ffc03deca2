import { Body, Controller, Delete, Get, HttpCode, Param, Post, Put, Query } from '@nestjs/common';
import { ApiBearerAuth, ApiCreatedResponse, ApiOkResponse, ApiTags } from '@nestjs/swagger';
import { Actor, Rpc } from '@wellifiy/contracts';
import { RpcClient } from '@wellifiy/messaging';
import { CurrentActor } from '../auth/current-actor.decorator';
import { ApiErrors, COMMON_ERRORS } from '../docs/error.view';
import { ErasePatientBody, LegalHoldParams, LegalHoldsQuery, PatientParams, PlaceLegalHoldBody, PutRetentionBody } from './retention.dto';
import { LegalHoldPageView, LegalHoldView, PatientErasureView, RetentionSettingsView } from './retention.view';

/**
 * Retention, legal holds and erasure, for compliance officers: the messages service (which owns message content)
 * checks `audit:read` (403) and records every change in its compliance log.
 */
@ApiTags('admin')
@ApiBearerAuth()
@ApiErrors(...COMMON_ERRORS)
@Controller('v1/admin')
export class RetentionController {
  constructor(private readonly rpc: RpcClient) {}

  /** The organisation's retention periods (null: kept forever, the default). */
  @ApiOkResponse({ type: RetentionSettingsView })
  @Get('retention')
  get(@CurrentActor() actor: Actor): Promise<RetentionSettingsView> {
    return this.rpc.send(Rpc.MessagesRetentionGet, { actor });
  }

  /** Sets both periods; content older than them is removed by the retention sweep, except under a legal hold. */
  @ApiOkResponse({ type: RetentionSettingsView })
  @ApiErrors(400)
  @Put('retention')
  put(@CurrentActor() actor: Actor, @Body() body: PutRetentionBody): Promise<RetentionSettingsView> {
    return this.rpc.send(Rpc.MessagesRetentionPut, { actor, messageContentDays: body.messageContentDays, mediaDays: body.mediaDays });
  }

  /** A hold on a patient (all their channels) or one channel: nothing under it is purged or erased until released. */
  @ApiCreatedResponse({ type: LegalHoldView })
  @ApiErrors(400)
  @Post('legal-holds')
  place(@CurrentActor() actor: Actor, @Body() body: PlaceLegalHoldBody): Promise<LegalHoldView> {
    return this.rpc.send(Rpc.MessagesLegalHoldPlace, { actor, patientId: body.patientId, channelId: body.channelId, reason: body.reason });
  }

  /** Active holds, oldest first; pass `nextCursor` back as `cursor` for the next page. */
  @ApiOkResponse({ type: LegalHoldPageView })
  @ApiErrors(400)
  @Get('legal-holds')
  list(@CurrentActor() actor: Actor, @Query() q: LegalHoldsQuery): Promise<LegalHoldPageView> {
    return this.rpc.send(Rpc.MessagesLegalHoldList, { actor, ...q });
  }

  /** Releases a hold (kept in the compliance log); 404 when there is no active hold with that id. */
  @ApiOkResponse({ type: LegalHoldView })
  @ApiErrors(400, 404)
  @Delete('legal-holds/:id')
  release(@CurrentActor() actor: Actor, @Param() p: LegalHoldParams): Promise<LegalHoldView> {
    return this.rpc.send(Rpc.MessagesLegalHoldRelease, { actor, holdId: p.id });
  }

  /**
   * Erases the patient by crypto-shredding: their key is destroyed, so what they wrote and everything in the
   * channels linked to them can no longer be read, backups included. 409 UNDER_LEGAL_HOLD while a hold covers them.
   */
  @ApiOkResponse({ type: PatientErasureView })
  @ApiErrors(400, 409)
  @Post('patients/:patientId/erase')
  @HttpCode(200)
  erase(@CurrentActor() actor: Actor, @Param() p: PatientParams, @Body() body: ErasePatientBody): Promise<PatientErasureView> {
    return this.rpc.send(Rpc.MessagesPatientErase, { actor, patientId: p.patientId, reason: body.reason });
  }
}
