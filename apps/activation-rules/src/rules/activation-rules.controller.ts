import { Controller } from '@nestjs/common';
import { MessagePattern, Payload } from '@nestjs/microservices';
import {
  ActivationRuleChangeView, ActivationRuleHistoryRequest, ActivationRuleView, AssignedTeamMembersRequest, AssignedTeamMembersResult,
  GetActivationRuleRequest, PutActivationRuleRequest, Rpc,
} from '@wellifiy/contracts';
import { ActivationRulesService } from './activation-rules.service';

const DEFAULT_HISTORY_LIMIT = 50;

@Controller()
export class ActivationRulesController {
  constructor(private readonly rules: ActivationRulesService) {}

  @MessagePattern(Rpc.ActivationRulesGet)
  get(@Payload() req: GetActivationRuleRequest): Promise<ActivationRuleView> {
    return this.rules.get(req.actor, req.type);
  }

  @MessagePattern(Rpc.ActivationRulesPut)
  put(@Payload() req: PutActivationRuleRequest): Promise<ActivationRuleView> {
    return this.rules.put(req);
  }

  @MessagePattern(Rpc.ActivationRulesHistory)
  history(@Payload() req: ActivationRuleHistoryRequest): Promise<ActivationRuleChangeView[]> {
    return this.rules.history(req.actor, req.type, req.limit ?? DEFAULT_HISTORY_LIMIT);
  }

  @MessagePattern(Rpc.ActivationRulesAssigned)
  async assigned(@Payload() req: AssignedTeamMembersRequest): Promise<AssignedTeamMembersResult> {
    return { teamMemberIds: await this.rules.assignedTeamMembers(req.orgId, req.type) };
  }
}
