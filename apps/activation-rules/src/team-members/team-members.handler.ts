import { Controller } from '@nestjs/common';
import { EventPattern, MessagePattern, Payload } from '@nestjs/microservices';
import { Events, PingResult, Rpc, TeamMemberArchivedEvent, TeamMemberCreatedEvent } from '@wellifiy/contracts';
import { TeamMembersRepository } from './team-members.repository';

export class TeamMemberNotYetKnownError extends Error {
  constructor(id: string) {
    super(`team member ${id} is not known yet (its created event has not been processed)`);
    this.name = 'TeamMemberNotYetKnownError';
  }
}

@Controller()
export class TeamMembersHandler {
  constructor(private readonly repo: TeamMembersRepository) {}

  @MessagePattern(Rpc.ActivationRulesPing)
  ping(): PingResult {
    return { service: 'activation-rules', ok: true };
  }

  @EventPattern(Events.TeamMemberCreated)
  created(@Payload() e: TeamMemberCreatedEvent): Promise<void> {
    return this.repo.insertIfAbsent(e.orgId, e.data.teamMemberId);
  }

  @EventPattern(Events.TeamMemberArchived)
  async archived(@Payload() e: TeamMemberArchivedEvent): Promise<void> {
    if (!(await this.repo.markArchived(e.orgId, e.data.teamMemberId))) throw new TeamMemberNotYetKnownError(e.data.teamMemberId);
  }
}
