import { DynamicModule, Module } from '@nestjs/common';
import { MongooseModule } from '@nestjs/mongoose';
import { IDEMPOTENCY_STORE, MessagingModule } from '@wellifiy/messaging';
import { OpsModule } from '@wellifiy/ops';
import { MongoIdempotencyStore, MongoModule } from '@wellifiy/persistence';
import { NotificationsConfig } from './config/notifications.config';
import { RECIPIENT_MODEL, RecipientSchema } from './recipients/recipient.schema';
import { RecipientsHandler } from './recipients/recipients.handler';
import { MongoRecipientsRepository, RecipientsRepository } from './recipients/recipients.repository';
import { RecipientsService } from './recipients/recipients.service';

@Module({})
export class AppModule {
  static register(config: NotificationsConfig): DynamicModule {
    return {
      module: AppModule,
      imports: [
        MongoModule.forRoot({ url: config.MONGO_URL, dbName: config.MONGO_DB }),
        MongooseModule.forFeature([{ name: RECIPIENT_MODEL, schema: RecipientSchema }]),
        MessagingModule.forRoot({ url: config.AMQP_URL, source: 'notifications' }),
        OpsModule.forRoot({ mongo: true }),
      ],
      controllers: [RecipientsHandler],
      providers: [
        { provide: NotificationsConfig, useValue: config },
        { provide: IDEMPOTENCY_STORE, useClass: MongoIdempotencyStore },
        { provide: RecipientsRepository, useClass: MongoRecipientsRepository },
        RecipientsService,
      ],
    };
  }
}
