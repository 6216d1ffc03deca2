import { Controller } from '@nestjs/common';
import { EventPattern, MessagePattern, Payload } from '@nestjs/microservices';
import {
  Events, MeRequest, MeView, PatientCreatedEvent, PatientUpdatedEvent, Rpc, TeamMemberArchivedEvent,
  TeamMemberCreatedEvent, TeamMemberUpdatedEvent,
} from '@wellifiy/contracts';
import { DirectoryService } from './directory.service';

/** Inbound directory events from the patient service and staff directory, and the caller's profile. */
@Controller()
export class DirectoryHandler {
  constructor(private readonly directory: DirectoryService) {}

  @EventPattern(Events.PatientCreated)
  patientCreated(@Payload() e: PatientCreatedEvent): Promise<void> {
    return this.directory.patientCreated(e.orgId, e.data);
  }

  @EventPattern(Events.PatientUpdated)
  patientUpdated(@Payload() e: PatientUpdatedEvent): Promise<void> {
    return this.directory.patientUpdated(e.orgId, e.data);
  }

  @EventPattern(Events.TeamMemberCreated)
  teamMemberCreated(@Payload() e: TeamMemberCreatedEvent): Promise<void> {
    return this.directory.teamMemberCreated(e.orgId, e.data);
  }

  @EventPattern(Events.TeamMemberUpdated)
  teamMemberUpdated(@Payload() e: TeamMemberUpdatedEvent): Promise<void> {
    return this.directory.teamMemberUpdated(e.orgId, e.data);
  }

  @EventPattern(Events.TeamMemberArchived)
  teamMemberArchived(@Payload() e: TeamMemberArchivedEvent): Promise<void> {
    return this.directory.teamMemberArchived(e.orgId, e.data);
  }

  @MessagePattern(Rpc.ChannelsMe)
  me(@Payload() req: MeRequest): Promise<MeView> {
    return this.directory.me(req.actor);
  }
}
