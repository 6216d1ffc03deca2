import { ArrayMaxSize, IsArray, IsBoolean, IsIn, IsString, MaxLength, MinLength } from 'class-validator';
import { ACTIVATABLE_CHANNEL_TYPES, ActivatableChannelType } from '../channel.types';
import { ActorRequest, PingRequest, PingResult, RpcEntry } from './common';

export const ActivationRulesRpc = {
  ActivationRulesPing: 'activation-rules.ping',
  ActivationRulesGet: 'activation-rules.get',
  ActivationRulesPut: 'activation-rules.put',
  /** Service-to-service: the rule's assigned team members that are still active (archived-member fallback). */
  ActivationRulesAssigned: 'activation-rules.assigned-team-members',
} as const;

export const ACTIVATION_RULE_TEAM_MAX = 200;

export interface ActivationRuleView {
  type: ActivatableChannelType;
  autoActivate: boolean;
  teamMemberIds: string[];
  updatedAt: string | null;
  updatedBy: string | null;
}

export class GetActivationRuleRequest extends ActorRequest {
  @IsIn(ACTIVATABLE_CHANNEL_TYPES)
  type!: ActivatableChannelType;
}

export class PutActivationRuleRequest extends ActorRequest {
  @IsIn(ACTIVATABLE_CHANNEL_TYPES)
  type!: ActivatableChannelType;

  @IsBoolean()
  autoActivate!: boolean;

  @IsArray() @ArrayMaxSize(ACTIVATION_RULE_TEAM_MAX) @IsString({ each: true }) @MinLength(1, { each: true }) @MaxLength(128, { each: true })
  teamMemberIds!: string[];
}

export class AssignedTeamMembersRequest {
  @IsString() @MinLength(1) @MaxLength(128)
  orgId!: string;

  @IsIn(ACTIVATABLE_CHANNEL_TYPES)
  type!: ActivatableChannelType;
}
export interface AssignedTeamMembersResult {
  teamMemberIds: string[];
}

export interface ActivationRulesRpcContract {
  [ActivationRulesRpc.ActivationRulesPing]: RpcEntry<PingRequest, PingResult>;
  [ActivationRulesRpc.ActivationRulesGet]: RpcEntry<GetActivationRuleRequest, ActivationRuleView>;
  [ActivationRulesRpc.ActivationRulesPut]: RpcEntry<PutActivationRuleRequest, ActivationRuleView>;
  [ActivationRulesRpc.ActivationRulesAssigned]: RpcEntry<AssignedTeamMembersRequest, AssignedTeamMembersResult>;
}

export const ACTIVATION_RULES_RPC_REQUESTS: { [K in keyof ActivationRulesRpcContract]: new () => ActivationRulesRpcContract[K]['request'] } = {
  [ActivationRulesRpc.ActivationRulesPing]: PingRequest,
  [ActivationRulesRpc.ActivationRulesGet]: GetActivationRuleRequest,
  [ActivationRulesRpc.ActivationRulesPut]: PutActivationRuleRequest,
  [ActivationRulesRpc.ActivationRulesAssigned]: AssignedTeamMembersRequest,
};
