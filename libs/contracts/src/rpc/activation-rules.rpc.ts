import { ArrayMaxSize, IsArray, IsBoolean, IsIn, IsInt, IsOptional, IsString, Max, MaxLength, Min, MinLength } from 'class-validator';
import { ACTIVATABLE_CHANNEL_TYPES, ActivatableChannelType } from '../channel.types';
import { ActorRequest, PingRequest, PingResult, RpcEntry } from './common';

export const ActivationRulesRpc = {
  ActivationRulesPing: 'activation-rules.ping',
  ActivationRulesGet: 'activation-rules.get',
  ActivationRulesPut: 'activation-rules.put',
  /** Service-to-service: the rule's assigned team members that are still active (archived-member fallback). */
  ActivationRulesAssigned: 'activation-rules.assigned-team-members',
  /** The audit trail of a rule's changes, newest first (settings:manage). */
  ActivationRulesHistory: 'activation-rules.history',
  /** Patients the intake could not staff (`needsStaffing`), oldest first (settings:manage). */
  ActivationRulesPending: 'activation-rules.pending',
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

export const ACTIVATION_RULE_HISTORY_MAX = 200;

export class ActivationRuleHistoryRequest extends ActorRequest {
  @IsIn(ACTIVATABLE_CHANNEL_TYPES)
  type!: ActivatableChannelType;

  @IsOptional() @IsInt() @Min(1) @Max(ACTIVATION_RULE_HISTORY_MAX)
  limit?: number;
}

/** A rule's settings at one point in time; null before the first change. */
export interface ActivationRuleSettings {
  autoActivate: boolean;
  teamMemberIds: string[];
}

/** One audited change: who, when, before and after (append-only). */
export interface ActivationRuleChangeView {
  id: string;
  type: ActivatableChannelType;
  actorId: string;
  at: string;
  before: ActivationRuleSettings | null;
  after: ActivationRuleSettings;
}

export class PendingStaffingRequest extends ActorRequest {
  @IsOptional() @IsIn(ACTIVATABLE_CHANNEL_TYPES)
  type?: ActivatableChannelType;
}

/** A patient whose channel the rules wanted but could not staff: for an admin to activate by hand. */
export interface PendingStaffingView {
  patientId: string;
  type: ActivatableChannelType;
  decidedAt: string;
}

export interface ActivationRulesRpcContract {
  [ActivationRulesRpc.ActivationRulesPing]: RpcEntry<PingRequest, PingResult>;
  [ActivationRulesRpc.ActivationRulesGet]: RpcEntry<GetActivationRuleRequest, ActivationRuleView>;
  [ActivationRulesRpc.ActivationRulesPut]: RpcEntry<PutActivationRuleRequest, ActivationRuleView>;
  [ActivationRulesRpc.ActivationRulesAssigned]: RpcEntry<AssignedTeamMembersRequest, AssignedTeamMembersResult>;
  [ActivationRulesRpc.ActivationRulesHistory]: RpcEntry<ActivationRuleHistoryRequest, ActivationRuleChangeView[]>;
  [ActivationRulesRpc.ActivationRulesPending]: RpcEntry<PendingStaffingRequest, PendingStaffingView[]>;
}

export const ACTIVATION_RULES_RPC_REQUESTS: { [K in keyof ActivationRulesRpcContract]: new () => ActivationRulesRpcContract[K]['request'] } = {
  [ActivationRulesRpc.ActivationRulesPing]: PingRequest,
  [ActivationRulesRpc.ActivationRulesGet]: GetActivationRuleRequest,
  [ActivationRulesRpc.ActivationRulesPut]: PutActivationRuleRequest,
  [ActivationRulesRpc.ActivationRulesAssigned]: AssignedTeamMembersRequest,
  [ActivationRulesRpc.ActivationRulesHistory]: ActivationRuleHistoryRequest,
  [ActivationRulesRpc.ActivationRulesPending]: PendingStaffingRequest,
};
