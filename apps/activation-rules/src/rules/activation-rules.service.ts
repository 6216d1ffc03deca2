import { Injectable, Logger } from '@nestjs/common';
import {
  ActivatableChannelType, ActivationRuleChangeView, ActivationRuleView, Actor, DomainError, ErrorCode,
} from '@wellifiy/contracts';
import { TeamMembersRepository } from '../team-members/team-members.repository';
import { ActivationRule, ActivationRuleChange, ActivationRulesRepository, lastChangeOf } from './activation-rules.repository';
import { RuleSettingsDoc } from './activation-rule.schema';
import { requireSettingsManager } from './settings-permission';

/** A rule nobody has set yet: off, nobody assigned. */
export const RULE_OFF: RuleSettingsDoc = { autoActivate: false, teamMemberIds: [] };

/** Concurrent writers of the same rule retry this many times before giving up with 409. */
const SAVE_ATTEMPTS = 3;

export interface PutRuleInput {
  actor: Actor;
  type: ActivatableChannelType;
  autoActivate: boolean;
  teamMemberIds: string[];
}

/** Message Centre Activation Rules (Portal Settings): read, change (audited) and the assigned team members. */
@Injectable()
export class ActivationRulesService {
  private readonly logger = new Logger('ActivationRules');

  constructor(
    private readonly rules: ActivationRulesRepository,
    private readonly teamMembers: TeamMembersRepository,
  ) {}

  async get(actor: Actor, type: ActivatableChannelType): Promise<ActivationRuleView> {
    requireSettingsManager(actor);
    return toView(type, await this.rules.find(actor.orgId, type));
  }

  /** Only active team members of the caller's organisation may be assigned; unknown or archived ids are named in a 400. */
  async put({ actor, type, autoActivate, teamMemberIds }: PutRuleInput): Promise<ActivationRuleView> {
    requireSettingsManager(actor);
    const ids = [...new Set(teamMemberIds)];
    const active = new Set(await this.teamMembers.activeAmong(actor.orgId, ids));
    const invalid = ids.filter((id) => !active.has(id));
    if (invalid.length) {
      throw new DomainError(ErrorCode.UnknownUser, `not active team members of this organisation (unknown or archived): ${invalid.join(', ')}`, {
        teamMemberIds: invalid,
      });
    }
    const after: RuleSettingsDoc = { autoActivate, teamMemberIds: ids };
    for (let attempt = 1; attempt <= SAVE_ATTEMPTS; attempt++) {
      const current = await this.rules.find(actor.orgId, type);
      if (current) await this.rules.appendChange(lastChangeOf(current)); // repairs an interrupted append
      if (current && sameSettings(current, after)) return toView(type, current); // not a change: nothing to audit
      const now = new Date();
      const rule: ActivationRule = {
        orgId: actor.orgId,
        type,
        ...after,
        version: (current?.version ?? 0) + 1,
        updatedAt: now,
        updatedBy: actor.userId,
        lastChange: { actorId: actor.userId, at: now, before: current ? { autoActivate: current.autoActivate, teamMemberIds: current.teamMemberIds } : null, after },
      };
      if (await this.rules.save(rule)) {
        this.logger.log(`rule changed org=${actor.orgId} type=${type} version=${rule.version} by=${actor.userId} autoActivate=${autoActivate} teamMembers=${ids.length}`);
        return toView(type, rule);
      }
    }
    throw new DomainError(ErrorCode.Conflict, `the ${type} rule is being changed by someone else; try again`);
  }

  async history(actor: Actor, type: ActivatableChannelType, limit: number): Promise<ActivationRuleChangeView[]> {
    requireSettingsManager(actor);
    const current = await this.rules.find(actor.orgId, type);
    if (current) await this.rules.appendChange(lastChangeOf(current));
    return (await this.rules.history(actor.orgId, type, limit)).map(toChangeView);
  }

  /** Service-to-service (archived-member fallback): the rule's assigned team members that are still active. */
  async assignedTeamMembers(orgId: string, type: ActivatableChannelType): Promise<string[]> {
    const rule = await this.rules.find(orgId, type);
    return rule ? this.teamMembers.activeAmong(orgId, rule.teamMemberIds) : [];
  }
}

function sameSettings(a: RuleSettingsDoc, b: RuleSettingsDoc): boolean {
  return a.autoActivate === b.autoActivate && a.teamMemberIds.length === b.teamMemberIds.length && a.teamMemberIds.every((id, i) => id === b.teamMemberIds[i]);
}

function toView(type: ActivatableChannelType, rule: ActivationRule | null): ActivationRuleView {
  return {
    type,
    autoActivate: rule?.autoActivate ?? RULE_OFF.autoActivate,
    teamMemberIds: rule ? [...rule.teamMemberIds] : [],
    updatedAt: rule ? rule.updatedAt.toISOString() : null,
    updatedBy: rule?.updatedBy ?? null,
  };
}

function toChangeView(c: ActivationRuleChange): ActivationRuleChangeView {
  return { id: c._id, type: c.type, actorId: c.actorId, at: c.at.toISOString(), before: c.before, after: c.after };
}
