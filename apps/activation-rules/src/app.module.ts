import { DynamicModule, Module } from '@nestjs/common';
import { MongooseModule } from '@nestjs/mongoose';
import { InfrastructureModule } from '@wellifiy/ops';
import { ActivationRulesConfig } from './config/activation-rules.config';
import { ChannelsClient, RpcChannelsClient } from './intake/channels.client';
import { INTAKE_DECISION_MODEL, IntakeDecisionSchema } from './intake/intake-decision.schema';
import { IntakeDecisionsRepository, MongoIntakeDecisionsRepository } from './intake/intake-decisions.repository';
import { IntakeHandler } from './intake/intake.handler';
import { IntakeService } from './intake/intake.service';
import {
  ACTIVATION_RULE_CHANGE_MODEL, ACTIVATION_RULE_MODEL, ActivationRuleChangeSchema, ActivationRuleSchema,
} from './rules/activation-rule.schema';
import { ActivationRulesController } from './rules/activation-rules.controller';
import { ActivationRulesRepository, MongoActivationRulesRepository } from './rules/activation-rules.repository';
import { ActivationRulesService } from './rules/activation-rules.service';
import { TEAM_MEMBER_MODEL, TeamMemberSchema } from './team-members/team-member.schema';
import { TeamMembersHandler } from './team-members/team-members.handler';
import { MongoTeamMembersRepository, TeamMembersRepository } from './team-members/team-members.repository';

@Module({})
export class AppModule {
  static register(config: ActivationRulesConfig): DynamicModule {
    return {
      module: AppModule,
      imports: [
        InfrastructureModule.forService({ service: 'activation-rules', config }),
        MongooseModule.forFeature([
          { name: TEAM_MEMBER_MODEL, schema: TeamMemberSchema },
          { name: ACTIVATION_RULE_MODEL, schema: ActivationRuleSchema },
          { name: ACTIVATION_RULE_CHANGE_MODEL, schema: ActivationRuleChangeSchema },
          { name: INTAKE_DECISION_MODEL, schema: IntakeDecisionSchema },
        ]),
      ],
      controllers: [TeamMembersHandler, ActivationRulesController, IntakeHandler],
      providers: [
        { provide: ActivationRulesConfig, useValue: config },
        { provide: TeamMembersRepository, useClass: MongoTeamMembersRepository },
        { provide: ActivationRulesRepository, useClass: MongoActivationRulesRepository },
        { provide: IntakeDecisionsRepository, useClass: MongoIntakeDecisionsRepository },
        { provide: ChannelsClient, useClass: RpcChannelsClient },
        ActivationRulesService,
        IntakeService,
      ],
    };
  }
}
