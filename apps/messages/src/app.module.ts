import { DynamicModule, Module } from '@nestjs/common';
import { MongooseModule } from '@nestjs/mongoose';
import { Queues } from '@wellifiy/contracts';
import { KeyHierarchy, KeyRing, PatientKeyStore } from '@wellifiy/crypto';
import { InfrastructureModule } from '@wellifiy/ops';
import { HostAllowList } from '@wellifiy/outbound';
import { AuditRepository, MongoAuditRepository } from './audit/audit.repository';
import { MESSAGE_AUDIT_MODEL, MessageAuditSchema, READ_ACCESS_MODEL, ReadAccessSchema } from './audit/audit.schema';
import { ReadAuditInterceptor } from './audit/read-audit.interceptor';
import { MessagesConfig } from './config/messages.config';
import { EditsController } from './edits/edits.controller';
import { EditsService } from './edits/edits.service';
import { MessageHistoryRepository, MongoMessageHistoryRepository } from './edits/message-history.repository';
import { MESSAGE_VERSION_MODEL, MessageVersionSchema } from './edits/message-history.schema';
import { MessageCipher } from './encryption/message-cipher';
import { ErasureService } from './erasure/erasure.service';
import { KeyCacheInvalidation } from './erasure/key-cache-invalidation';
import { MongoPatientKeyStore } from './erasure/patient-key.repository';
import { LinkPreviewJobProcessor, LinkPreviewScheduler } from './jobs/link-preview.job';
import { MediaCleanupJobProcessor, MediaCleanupScheduler } from './jobs/media-cleanup.job';
import { RetentionPurgeJobProcessor, RetentionPurgeScheduler } from './jobs/retention-purge.job';
import { LinkPreviewsHandler } from './link-previews/link-previews.handler';
import { LinkPreviewsService } from './link-previews/link-previews.service';
import { PreviewFetcher } from './link-previews/preview-fetcher';
import { MediaCipher } from './media/media-cipher';
import { MediaInternalController } from './media/media-internal.controller';
import { MediaHandler } from './media/media.handler';
import { MediaRepository, MongoMediaRepository } from './media/media.repository';
import { MEDIA_STORE_MODELS } from './media/media.models';
import { MediaService } from './media/media.service';
import { MembershipHandler } from './membership/membership.handler';
import { MembershipRepository, MongoMembershipRepository } from './membership/membership.repository';
import { CHANNEL_PROJECTION_MODEL, ChannelProjectionSchema } from './membership/membership.schema';
import { MEMBERSHIP_CACHE_MAX_ENTRIES, MEMBERSHIP_CACHE_TTL_MS, MembershipCache } from './membership/membership.cache';
import { MembershipFeed } from './membership/membership.feed';
import { MembershipService } from './membership/membership.service';
import { MESSAGE_MODEL, MessageSchema } from './messages/message.schema';
import { MessagesController } from './messages/messages.controller';
import { MessageChanges } from './messages/message-changes';
import { MessageMapper } from './messages/message.mapper';
import { MessageStore, MongoMessageStore } from './messages/message.store';
import { BucketBackfillMigration } from './migrations/bucket-backfill.migration';
import { ExportController } from './export/export.controller';
import { ExportService } from './export/export.service';
import { MessagesService } from './messages/messages.service';
import { ReactionsController } from './reactions/reactions.controller';
import { ReactionsService } from './reactions/reactions.service';
import { LegalHolds } from './retention/legal-holds';
import { MongoPurgeRepository, PurgeRepository } from './retention/purge.repository';
import { RetentionPurgeService } from './retention/retention-purge.service';
import { RetentionController } from './retention/retention.controller';
import { MongoRetentionRepository, RetentionRepository } from './retention/retention.repository';
import { COMPLIANCE_LOG_MODEL, ComplianceLogSchema, LEGAL_HOLD_MODEL, LegalHoldSchema, RETENTION_SETTINGS_MODEL, RetentionSettingsSchema } from './retention/retention.schema';
import { RetentionService } from './retention/retention.service';
import { ThreadsController } from './threads/threads.controller';
import { ThreadsService } from './threads/threads.service';
import { VersionsController } from './versions/versions.controller';
import { VersionsService } from './versions/versions.service';

/**
 * A patient key stays in memory until an erasure drops it (in this process at once; in the others on
 * `patient.erased`, on a queue of each process's own): the time limit only bounds how long an invalidation lost with a
 * broker connection could leave it usable elsewhere — a minute. One store read per patient per minute, whatever the
 * rate of that patient's messages.
 */
const PATIENT_KEY_CACHE_MS = 60_000;

@Module({})
export class AppModule {
  static register(config: MessagesConfig): DynamicModule {
    return {
      module: AppModule,
      imports: [
        InfrastructureModule.forService({ service: 'messages', config, queues: [Queues.LinkPreview, Queues.MediaCleanup, Queues.RetentionPurge] }),
        MongooseModule.forFeature([
          { name: MESSAGE_MODEL, schema: MessageSchema },
          { name: CHANNEL_PROJECTION_MODEL, schema: ChannelProjectionSchema },
          { name: MESSAGE_VERSION_MODEL, schema: MessageVersionSchema },
          { name: MESSAGE_AUDIT_MODEL, schema: MessageAuditSchema },
          { name: READ_ACCESS_MODEL, schema: ReadAccessSchema },
          ...MEDIA_STORE_MODELS,
          { name: RETENTION_SETTINGS_MODEL, schema: RetentionSettingsSchema },
          { name: LEGAL_HOLD_MODEL, schema: LegalHoldSchema },
          { name: COMPLIANCE_LOG_MODEL, schema: ComplianceLogSchema },
        ]),
      ],
      controllers: [MessagesController, ThreadsController, ReactionsController, EditsController, MembershipHandler, MediaHandler, MediaInternalController, LinkPreviewsHandler, VersionsController, ExportController, RetentionController],
      providers: [
        { provide: MessagesConfig, useValue: config },
        MessageMapper,
        { provide: MessageStore, useClass: MongoMessageStore },
        MessageChanges,
        BucketBackfillMigration,
        { provide: MembershipRepository, useClass: MongoMembershipRepository },
        MessagesService,
        ExportService,
        { provide: PatientKeyStore, useClass: MongoPatientKeyStore },
        { provide: KeyHierarchy, useFactory: (keyRing: KeyRing, store: PatientKeyStore) => new KeyHierarchy(keyRing, store, { cacheMs: PATIENT_KEY_CACHE_MS }), inject: [KeyRing, PatientKeyStore] },
        MessageCipher,
        { provide: MessageHistoryRepository, useClass: MongoMessageHistoryRepository },
        { provide: AuditRepository, useClass: MongoAuditRepository },
        ReadAuditInterceptor,
        ThreadsService,
        ReactionsService,
        EditsService,
        VersionsService,
        MembershipService,
        { provide: MembershipCache, useValue: new MembershipCache({ ttlMs: MEMBERSHIP_CACHE_TTL_MS, maxEntries: MEMBERSHIP_CACHE_MAX_ENTRIES }) },
        MembershipFeed,
        { provide: MediaRepository, useClass: MongoMediaRepository },
        MediaCipher,
        MediaService,
        {
          provide: PreviewFetcher,
          useValue: new PreviewFetcher(new HostAllowList(config.LINK_PREVIEW_ALLOWED_HOSTS), {
            timeoutMs: config.LINK_PREVIEW_TIMEOUT_MS,
            maxBytes: config.LINK_PREVIEW_MAX_BYTES,
          }),
        },
        LinkPreviewsService,
        LinkPreviewScheduler,
        LinkPreviewJobProcessor,
        MediaCleanupScheduler,
        MediaCleanupJobProcessor,
        { provide: RetentionRepository, useClass: MongoRetentionRepository },
        { provide: PurgeRepository, useClass: MongoPurgeRepository },
        LegalHolds,
        RetentionService,
        RetentionPurgeService,
        RetentionPurgeScheduler,
        RetentionPurgeJobProcessor,
        ErasureService,
        KeyCacheInvalidation,
      ],
    };
  }
}
