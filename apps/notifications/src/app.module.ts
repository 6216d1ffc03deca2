import { DynamicModule, Module } from '@nestjs/common';
import { MongooseModule } from '@nestjs/mongoose';
import { Queues } from '@wellifiy/contracts';
import { InfrastructureModule } from '@wellifiy/ops';
import { HostAllowList } from '@wellifiy/outbound';
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
    return {
      module: AppModule,
      imports: [
        // Redis readiness is asked through the digest queue.
        InfrastructureModule.forService({ service: 'notifications', config, queues: [Queues.Digest, Queues.Push] }),
        MongooseModule.forFeature([
          { name: RECIPIENT_MODEL, schema: RecipientSchema },
          { name: CHANNEL_STATE_MODEL, schema: ChannelStateSchema },
          { name: READ_STATE_MODEL, schema: ReadStateSchema },
          { name: SETTINGS_MODEL, schema: SettingsSchema },
          { name: PUSH_SUBSCRIPTION_MODEL, schema: PushSubscriptionSchema },
        ]),
      ],
      controllers: [RecipientsHandler, ReadStateHandler, NewMessageHandler, PreferencesHandler, PushHandler, RecipientErasureHandler],
      providers: [
        RecipientErasureRepository,
        { provide: NotificationsConfig, useValue: config },
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
