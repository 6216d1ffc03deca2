import { Body, Controller, Get, Param, Put, Query, Req } from '@nestjs/common';
import { ApiBearerAuth, ApiOkResponse, ApiTags } from '@nestjs/swagger';
import type { Request } from 'express';
import { Actor, Rpc } from '@wellifiy/contracts';
import { RpcClient } from '@wellifiy/messaging';
import { CurrentActor } from '../auth/current-actor.decorator';
import { correlationIdOf } from '../http/correlation-id.middleware';
import { HistoryQuery, PendingQuery, PutActivationRuleBody, RuleTypeParams } from './activation-rules.dto';
import { ApiErrors, COMMON_ERRORS } from '../docs/error.view';
import { ActivationRuleChangeView, ActivationRuleView, PendingStaffingView } from './activation-rules.view';

/** Portal Settings → Message Centre Activation Rules. The activation-rules service checks `settings:manage` (403). */
@ApiTags('admin')
@ApiBearerAuth()
@ApiErrors(...COMMON_ERRORS)
@Controller('v1/admin/activation-rules')
export class ActivationRulesController {
  constructor(private readonly rpc: RpcClient) {}

  /** Patients the rules could not staff; declared before `:type` so `pending` is not read as a type. */
  @ApiOkResponse({ type: [PendingStaffingView] })
  @ApiErrors(400)
  @Get('pending')
  pending(@CurrentActor() actor: Actor, @Query() q: PendingQuery, @Req() req: Request): Promise<PendingStaffingView[]> {
    return this.rpc.send(Rpc.ActivationRulesPending, { actor, ...q }, { correlationId: correlationIdOf(req) });
  }

  @ApiOkResponse({ type: ActivationRuleView })
  @ApiErrors(400)
  @Get(':type')
  get(@CurrentActor() actor: Actor, @Param() p: RuleTypeParams, @Req() req: Request): Promise<ActivationRuleView> {
    return this.rpc.send(Rpc.ActivationRulesGet, { actor, type: p.type }, { correlationId: correlationIdOf(req) });
  }

  @ApiOkResponse({ type: ActivationRuleView })
  @ApiErrors(400)
  @Put(':type')
  put(@CurrentActor() actor: Actor, @Param() p: RuleTypeParams, @Body() body: PutActivationRuleBody, @Req() req: Request): Promise<ActivationRuleView> {
    return this.rpc.send(
      Rpc.ActivationRulesPut,
      { actor, type: p.type, autoActivate: body.autoActivate, teamMemberIds: body.teamMemberIds },
      { correlationId: correlationIdOf(req) },
    );
  }

  /** Every change of the rule: who, when, before and after (newest first). */
  @ApiOkResponse({ type: [ActivationRuleChangeView] })
  @ApiErrors(400)
  @Get(':type/history')
  history(@CurrentActor() actor: Actor, @Param() p: RuleTypeParams, @Query() q: HistoryQuery, @Req() req: Request): Promise<ActivationRuleChangeView[]> {
    return this.rpc.send(Rpc.ActivationRulesHistory, { actor, type: p.type, ...q }, { correlationId: correlationIdOf(req) });
  }
}
