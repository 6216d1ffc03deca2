import { Controller, Get, Query, Req } from '@nestjs/common';
import { ApiBearerAuth, ApiOkResponse, ApiTags } from '@nestjs/swagger';
import type { Request } from 'express';
import { Actor, Rpc } from '@wellifiy/contracts';
import { RpcClient } from '@wellifiy/messaging';
import { CurrentActor } from '../auth/current-actor.decorator';
import { correlationIdOf } from '../http/correlation-id.middleware';
import { ApiErrors, COMMON_ERRORS } from '../docs/error.view';
import { AuditPageView } from '../channels/channels.view';
import { AuditQuery } from './audit.dto';

/** The organisation's audit trail, for compliance officers: the channels service checks `audit:read` (403) and records each query. */
@ApiTags('admin')
@ApiBearerAuth()
@ApiErrors(...COMMON_ERRORS)
@Controller('v1/admin/audit')
export class AuditController {
  constructor(private readonly rpc: RpcClient) {}

  /** One page, newest first; pass `nextCursor` back as `cursor` for the next. */
  @ApiOkResponse({ type: AuditPageView })
  @ApiErrors(400)
  @Get()
  list(@CurrentActor() actor: Actor, @Query() q: AuditQuery, @Req() req: Request): Promise<AuditPageView> {
    return this.rpc.send(Rpc.ChannelsAudit, { actor, ...q }, { correlationId: correlationIdOf(req) });
  }
}
