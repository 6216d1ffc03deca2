import { Controller, Get, Query, Req } from '@nestjs/common';
import { ApiBearerAuth, ApiTags } from '@nestjs/swagger';
import type { Request } from 'express';
import { Actor, AuditPage, Rpc } from '@wellifiy/contracts';
import { RpcClient } from '@wellifiy/messaging';
import { CurrentActor } from '../auth/current-actor.decorator';
import { correlationIdOf } from '../http/correlation-id.middleware';
import { AuditQuery } from './audit.dto';

/** The organisation's audit trail, for compliance officers: the channels service checks `audit:read` (403) and records each query. */
@ApiTags('admin')
@ApiBearerAuth()
@Controller('v1/admin/audit')
export class AuditController {
  constructor(private readonly rpc: RpcClient) {}

  /** One page, newest first; pass `nextCursor` back as `cursor` for the next. */
  @Get()
  list(@CurrentActor() actor: Actor, @Query() q: AuditQuery, @Req() req: Request): Promise<AuditPage> {
    return this.rpc.send(Rpc.ChannelsAudit, { actor, ...q }, { correlationId: correlationIdOf(req) });
  }
}
