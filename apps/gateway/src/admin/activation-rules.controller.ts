import { Body, Controller, Get, Param, Put, Query } from '@nestjs/common';
import { ApiBearerAuth, ApiOkResponse, ApiTags } from '@nestjs/swagger';
import { Actor, Rpc } from '@wellifiy/contracts';
import { RpcClient } from '@wellifiy/messaging';
import { CurrentActor } from '../auth/current-actor.decorator';
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
  pending(@CurrentActor() actor: Actor, @Query() q: PendingQuery): Promise<PendingStaffingView[]> {
    return this.rpc.send(Rpc.ActivationRulesPending, { actor, ...q });
  }

  @ApiOkResponse({ type: ActivationRuleView })
  @ApiErrors(400)
  @Get(':type')
  get(@CurrentActor() actor: Actor, @Param() p: RuleTypeParams): Promise<ActivationRuleView> {
    return this.rpc.send(Rpc.ActivationRulesGet, { actor, type: p.type });
  }

  @ApiOkResponse({ type: ActivationRuleView })
  @ApiErrors(400)
  @Put(':type')
  put(@CurrentActor() actor: Actor, @Param() p: RuleTypeParams, @Body() body: PutActivationRuleBody): Promise<ActivationRuleView> {
    return this.rpc.send(
      Rpc.ActivationRulesPut,
      { actor, type: p.type, autoActivate: body.autoActivate, teamMemberIds: body.teamMemberIds },
    );
  }

  /** Every change of the rule: who, when, before and after (newest first). */
  @ApiOkResponse({ type: [ActivationRuleChangeView] })
  @ApiErrors(400)
  @Get(':type/history')
  history(@CurrentActor() actor: Actor, @Param() p: RuleTypeParams, @Query() q: HistoryQuery): Promise<ActivationRuleChangeView[]> {
    return this.rpc.send(Rpc.ActivationRulesHistory, { actor, type: p.type, ...q });
  }
}
