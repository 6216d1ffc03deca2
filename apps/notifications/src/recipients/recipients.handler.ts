import { Controller } from '@nestjs/common';
import { EventPattern, MessagePattern, Payload } from '@nestjs/microservices';
import {
  Events, PatientCreatedEvent, PatientUpdatedEvent, PingResult, Rpc, TeamMemberArchivedEvent, TeamMemberCreatedEvent,
  TeamMemberUpdatedEvent,
} from '@wellifiy/contracts';
import { RecipientsService } from './recipients.service';

@Controller()
export class RecipientsHandler {
  constructor(private readonly recipients: RecipientsService) {}

  @MessagePattern(Rpc.NotificationsPing)
  ping(): PingResult {
    return { service: 'notifications', ok: true };
  }

  @EventPattern(Events.PatientCreated)
  patientCreated(@Payload() e: PatientCreatedEvent): Promise<void> {
    return this.recipients.created(e.orgId, e.data.patientId, 'patient', e.data.email);
  }

  @EventPattern(Events.PatientUpdated)
  patientUpdated(@Payload() e: PatientUpdatedEvent): Promise<void> {
    return this.recipients.emailChanged(e.orgId, e.data.patientId, e.data.email);
  }

  @EventPattern(Events.TeamMemberCreated)
  teamMemberCreated(@Payload() e: TeamMemberCreatedEvent): Promise<void> {
    return this.recipients.created(e.orgId, e.data.teamMemberId, 'team_member', e.data.email);
  }

  @EventPattern(Events.TeamMemberUpdated)
  teamMemberUpdated(@Payload() e: TeamMemberUpdatedEvent): Promise<void> {
    return this.recipients.emailChanged(e.orgId, e.data.teamMemberId, e.data.email);
  }

  @EventPattern(Events.TeamMemberArchived)
  teamMemberArchived(@Payload() e: TeamMemberArchivedEvent): Promise<void> {
    return this.recipients.archived(e.orgId, e.data.teamMemberId);
  }
}
