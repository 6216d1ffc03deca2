import { DynamicModule, Module } from '@nestjs/common';
import { MongooseModule } from '@nestjs/mongoose';
import { IDEMPOTENCY_STORE, MessagingModule } from '@wellifiy/messaging';
import { OpsModule } from '@wellifiy/ops';
import { MongoIdempotencyStore, MongoModule } from '@wellifiy/persistence';
import { ActivationRulesConfig } from './config/activation-rules.config';
import { TEAM_MEMBER_MODEL, TeamMemberSchema } from './team-members/team-member.schema';
import { TeamMembersHandler } from './team-members/team-members.handler';
import { MongoTeamMembersRepository, TeamMembersRepository } from './team-members/team-members.repository';

@Module({})
export class AppModule {
  static register(config: ActivationRulesConfig): DynamicModule {
    return {
      module: AppModule,
      imports: [
        MongoModule.forRoot({ url: config.MONGO_URL, dbName: config.MONGO_DB }),
        MongooseModule.forFeature([{ name: TEAM_MEMBER_MODEL, schema: TeamMemberSchema }]),
        MessagingModule.forRoot({ url: config.AMQP_URL, source: 'activation-rules' }),
        OpsModule.forRoot({ mongo: true }),
      ],
      controllers: [TeamMembersHandler],
      providers: [
        { provide: ActivationRulesConfig, useValue: config },
        { provide: IDEMPOTENCY_STORE, useClass: MongoIdempotencyStore },
        { provide: TeamMembersRepository, useClass: MongoTeamMembersRepository },
      ],
    };
  }
}
