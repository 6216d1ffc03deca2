import { DynamicModule, Module } from '@nestjs/common';
import { MongooseModule } from '@nestjs/mongoose';
import { KeyRing } from '@wellifiy/crypto';
import { IDEMPOTENCY_STORE, MessagingModule } from '@wellifiy/messaging';
import { OpsModule } from '@wellifiy/ops';
import { MongoIdempotencyStore, MongoModule } from '@wellifiy/persistence';
import { MessagesConfig } from './config/messages.config';
import { MessageCipher } from './encryption/message-cipher';
import { MembershipHandler } from './membership/membership.handler';
import { MembershipRepository, MongoMembershipRepository } from './membership/membership.repository';
import { CHANNEL_PROJECTION_MODEL, ChannelProjectionSchema } from './membership/membership.schema';
import { MembershipService } from './membership/membership.service';
import { MESSAGE_MODEL, MessageSchema } from './messages/message.schema';
import { MessagesController } from './messages/messages.controller';
import { MessagesRepository, MongoMessagesRepository } from './messages/messages.repository';
import { MessagesService } from './messages/messages.service';

@Module({})
export class AppModule {
  static register(config: MessagesConfig): DynamicModule {
    return {
      module: AppModule,
      imports: [
        MongoModule.forRoot({ url: config.MONGO_URL, dbName: config.MONGO_DB }),
        MongooseModule.forFeature([
          { name: MESSAGE_MODEL, schema: MessageSchema },
          { name: CHANNEL_PROJECTION_MODEL, schema: ChannelProjectionSchema },
        ]),
        MessagingModule.forRoot({ url: config.AMQP_URL, source: 'messages', rpcTimeoutMs: config.RPC_TIMEOUT_MS }),
        OpsModule.forRoot({ mongo: true }),
      ],
      controllers: [MessagesController, MembershipHandler],
      providers: [
        { provide: MessagesConfig, useValue: config },
        { provide: IDEMPOTENCY_STORE, useClass: MongoIdempotencyStore },
        { provide: MessagesRepository, useClass: MongoMessagesRepository },
        { provide: MembershipRepository, useClass: MongoMembershipRepository },
        MessagesService,
        // Built at boot: a bad key ring stops the service with a message naming the variable.
        { provide: KeyRing, useValue: KeyRing.parse(config.ENCRYPTION_KEYS, config.ENCRYPTION_ACTIVE_KEY_ID) },
        MessageCipher,
        MembershipService,
      ],
    };
  }
}
