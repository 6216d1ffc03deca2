import { Controller } from '@nestjs/common';
import { EventPattern, MessagePattern, Payload } from '@nestjs/microservices';
import {
  Events, MeRequest, MeView, PatientCreatedEvent, PatientUpdatedEvent, Rpc, TeamMemberArchivedEvent,
  TeamMemberCreatedEvent, TeamMemberUpdatedEvent, UpdateProfileRequest,
} from '@wellifiy/contracts';
import { ArchivedMemberFallbackScheduler } from '../jobs/archived-member-fallback.job';
import { ProfileService } from '../profile/profile.service';
import { DirectoryService } from './directory.service';

/** Inbound directory events from the patient service and staff directory, and the caller's profile. */
@Controller()
export class DirectoryHandler {
  constructor(
    private readonly directory: DirectoryService,
    private readonly fallback: ArchivedMemberFallbackScheduler,
    private readonly profile: ProfileService,
  ) {}

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

  /** Marks them archived, then schedules their release from every channel (rule 5) as a BullMQ job. */
  @EventPattern(Events.TeamMemberArchived)
  async teamMemberArchived(@Payload() e: TeamMemberArchivedEvent): Promise<void> {
    await this.directory.teamMemberArchived(e.orgId, e.data);
    await this.fallback.schedule({ orgId: e.orgId, teamMemberId: e.data.teamMemberId, correlationId: e.correlationId });
  }

  @MessagePattern(Rpc.ChannelsMe)
  me(@Payload() req: MeRequest): Promise<MeView> {
    return this.directory.me(req.actor);
  }

  @MessagePattern(Rpc.ChannelsUpdateProfile)
  updateProfile(@Payload() { actor, displayName, avatarMediaId }: UpdateProfileRequest): Promise<MeView> {
    return this.profile.update(actor, { displayName, avatarMediaId });
  }
}
