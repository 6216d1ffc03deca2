import { DynamicModule, Module } from '@nestjs/common';
import { MongooseModule } from '@nestjs/mongoose';
import { Queues } from '@wellifiy/contracts';
import { InfrastructureModule } from '@wellifiy/ops';
import { ActivationController } from './activation/activation.controller';
import { ActivationService } from './activation/activation.service';
import { CHANNEL_MODEL, ChannelSchema } from './channels/channel.schema';
import { ChannelsController } from './channels/channels.controller';
import { ChannelsRepository, MongoChannelsRepository } from './channels/channels.repository';
import { ChannelsService } from './channels/channels.service';
import { ChannelsConfig } from './config/channels.config';
import { DirectoryHandler } from './directory/directory.handler';
import { DirectoryRepository, MongoDirectoryRepository } from './directory/directory.repository';
import { PATIENT_MODEL, PatientSchema, TEAM_MEMBER_MODEL, TeamMemberSchema } from './directory/directory.schema';
import { DirectoryService } from './directory/directory.service';
import { ProfileService } from './profile/profile.service';
import { AuditHandler } from './audit/audit.handler';
import { PatientErasureHandler } from './erasure/patient-erasure.handler';
import { PatientErasureRepository } from './erasure/patient-erasure.repository';
import { AuditRepository, MongoAuditRepository } from './audit/audit.repository';
import { AUDIT_ENTRY_MODEL, AuditEntrySchema } from './audit/audit.schema';
import { AuditService, ChannelPatientLookup } from './audit/audit.service';
import { CachedChannelPatientLookup } from './audit/channel-patient.lookup';
import { CreationController } from './creation/creation.controller';
import { CreationService } from './creation/creation.service';
import { PatientExportController } from './export/patient-export.controller';
import { PatientExportService } from './export/patient-export.service';
import { FallbackService } from './fallback/fallback.service';
import { ArchivedMemberFallbackJob, ArchivedMemberFallbackScheduler } from './jobs/archived-member-fallback.job';
import { MembersController } from './members/members.controller';
import { MembersService } from './members/members.service';

@Module({})
export class AppModule {
  static register(config: ChannelsConfig): DynamicModule {
    return {
      module: AppModule,
      imports: [
        InfrastructureModule.forService({ service: 'channels', config, queues: [Queues.ArchivedMemberFallback] }),
        MongooseModule.forFeature([
          { name: CHANNEL_MODEL, schema: ChannelSchema },
          { name: PATIENT_MODEL, schema: PatientSchema },
          { name: TEAM_MEMBER_MODEL, schema: TeamMemberSchema },
          { name: AUDIT_ENTRY_MODEL, schema: AuditEntrySchema },
        ]),
      ],
      controllers: [
        ChannelsController,
        DirectoryHandler,
        ActivationController,
        CreationController,
        MembersController,
        AuditHandler,
        PatientErasureHandler,
        PatientExportController,
      ],
      providers: [
        PatientErasureRepository,
        { provide: ChannelsConfig, useValue: config },
        { provide: ChannelsRepository, useClass: MongoChannelsRepository },
        { provide: DirectoryRepository, useClass: MongoDirectoryRepository },
        ChannelsService,
        DirectoryService,
        ProfileService,
        ActivationService,
        { provide: AuditRepository, useClass: MongoAuditRepository },
        { provide: ChannelPatientLookup, useClass: CachedChannelPatientLookup },
        AuditService,
        PatientExportService,
        CreationService,
        MembersService,
        FallbackService,
        ArchivedMemberFallbackScheduler,
        ArchivedMemberFallbackJob,
      ],
    };
  }
}
