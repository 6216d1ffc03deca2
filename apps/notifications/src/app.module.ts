import { BullModule } from '@nestjs/bullmq';
import { amqpUrlsOf } from '@wellifiy/config';
import { DynamicModule, Module } from '@nestjs/common';
import { MongooseModule } from '@nestjs/mongoose';
import { Queues } from '@wellifiy/contracts';
import { KeyRing } from '@wellifiy/crypto';
import { IDEMPOTENCY_STORE, MessagingModule } from '@wellifiy/messaging';
import { OpsModule, redisReadinessVia } from '@wellifiy/ops';
import { HostAllowList } from '@wellifiy/outbound';
import { bullConnection, MongoIdempotencyStore, MongoModule } from '@wellifiy/persistence';
import { NotificationsConfig } from './config/notifications.config';
import { DigestScheduler } from './digest/digest.scheduler';
import { DigestService } from './digest/digest.service';
import { Mailer, SmtpMailer } from './digest/mailer';
import { DigestJob } from './jobs/digest.job';
import { PushJob } from './jobs/push.job';
import { NewMessageHandler } from './new-message/new-message.handler';
import { NewMessageService } from './new-message/new-message.service';
import { PreferencesHandler } from './preferences/preferences.handler';
import { PreferencesService } from './preferences/preferences.service';
import { PushEndpointPolicy } from './push/endpoint-policy';
import { PushProvider } from './push/push-provider';
import { PUSH_SUBSCRIPTION_MODEL, PushSubscriptionSchema } from './push/push-subscription.schema';
import { MongoPushSubscriptionsRepository, PushSubscriptionsRepository } from './push/push-subscriptions.repository';
import { PushHandler } from './push/push.handler';
import { PushService } from './push/push.service';
import { WebPushProvider } from './push/web-push.provider';
import { BadgePublisher } from './read-state/badge.publisher';
import { CHANNEL_STATE_MODEL, ChannelStateSchema } from './read-state/channel-state.schema';
import { READ_STATE_MODEL, ReadStateSchema } from './read-state/read-state.schema';
import { ReadStateHandler } from './read-state/read-state.handler';
import { MongoReadStateRepository, ReadStateRepository } from './read-state/read-state.repository';
import { ReadStateService } from './read-state/read-state.service';
import { RECIPIENT_MODEL, RecipientSchema } from './recipients/recipient.schema';
import { RecipientsHandler } from './recipients/recipients.handler';
import { RecipientErasureHandler, RecipientErasureRepository } from './erasure/recipient-erasure';
import { MongoRecipientsRepository, RecipientsRepository } from './recipients/recipients.repository';
import { RecipientsService } from './recipients/recipients.service';
import { SETTINGS_MODEL, SettingsSchema } from './settings/settings.schema';
import { MongoSettingsRepository, SettingsRepository } from './settings/settings.repository';

@Module({})
export class AppModule {
  static register(config: NotificationsConfig): DynamicModule {
    // Built at boot: a bad key ring stops the service with a message naming the variable.
    const keyRing = KeyRing.parse(config.ENCRYPTION_KEYS, config.ENCRYPTION_ACTIVE_KEY_ID);
    return {
      module: AppModule,
      imports: [
        MongoModule.forRoot({ url: config.MONGO_URL, dbName: config.MONGO_DB }),
        MongooseModule.forFeature([
          { name: RECIPIENT_MODEL, schema: RecipientSchema },
          { name: CHANNEL_STATE_MODEL, schema: ChannelStateSchema },
          { name: READ_STATE_MODEL, schema: ReadStateSchema },
          { name: SETTINGS_MODEL, schema: SettingsSchema },
          { name: PUSH_SUBSCRIPTION_MODEL, schema: PushSubscriptionSchema },
        ]),
        MessagingModule.forRoot({ url: amqpUrlsOf(config), source: 'notifications', keyRing }),
        BullModule.forRoot({ connection: bullConnection(config), prefix: config.QUEUE_PREFIX }),
        // Global so the readiness check (OpsModule) can reach Redis through the digest queue.
        { ...BullModule.registerQueue({ name: Queues.Digest }, { name: Queues.Push }), global: true },
        OpsModule.forRoot({ mongo: true, extraChecks: redisReadinessVia(Queues.Digest) }),
      ],
      controllers: [RecipientsHandler, ReadStateHandler, NewMessageHandler, PreferencesHandler, PushHandler, RecipientErasureHandler],
      providers: [
        RecipientErasureRepository,
        { provide: KeyRing, useValue: keyRing },
        { provide: NotificationsConfig, useValue: config },
        { provide: IDEMPOTENCY_STORE, useClass: MongoIdempotencyStore },
        { provide: RecipientsRepository, useClass: MongoRecipientsRepository },
        { provide: ReadStateRepository, useClass: MongoReadStateRepository },
        { provide: SettingsRepository, useClass: MongoSettingsRepository },
        { provide: PushSubscriptionsRepository, useClass: MongoPushSubscriptionsRepository },
        { provide: Mailer, useClass: SmtpMailer },
        { provide: PushEndpointPolicy, useValue: new PushEndpointPolicy(new HostAllowList(config.PUSH_ALLOWED_HOSTS)) },
        { provide: PushProvider, useClass: WebPushProvider },
        RecipientsService,
        ReadStateService,
        BadgePublisher,
        NewMessageService,
        PreferencesService,
        DigestScheduler,
        DigestService,
        PushService,
        DigestJob,
        PushJob,
      ],
    };
  }
}
