import { ApiProperty } from '@nestjs/swagger';
import { ACTIVATABLE_CHANNEL_TYPES, ActivatableChannelType } from '@wellifiy/contracts';
import type * as Contracts from '@wellifiy/contracts';

/* Response bodies of the activation-rule routes for the OpenAPI document; each `implements` its contract type. */

export class ActivationRuleView implements Contracts.ActivationRuleView {
  @ApiProperty({ enum: ACTIVATABLE_CHANNEL_TYPES })
  type!: ActivatableChannelType;

  @ApiProperty()
  autoActivate!: boolean;

  @ApiProperty({ type: [String] })
  teamMemberIds!: string[];

  @ApiProperty({ type: String, format: 'date-time', nullable: true })
  updatedAt!: string | null;

  @ApiProperty({ type: String, nullable: true })
  updatedBy!: string | null;
}

export class ActivationRuleSettingsView implements Contracts.ActivationRuleSettings {
  @ApiProperty()
  autoActivate!: boolean;

  @ApiProperty({ type: [String] })
  teamMemberIds!: string[];
}

export class ActivationRuleChangeView implements Contracts.ActivationRuleChangeView {
  @ApiProperty()
  id!: string;

  @ApiProperty({ enum: ACTIVATABLE_CHANNEL_TYPES })
  type!: ActivatableChannelType;

  @ApiProperty()
  actorId!: string;

  @ApiProperty({ format: 'date-time' })
  at!: string;

  @ApiProperty({ type: ActivationRuleSettingsView, nullable: true, description: 'null before the first change' })
  before!: ActivationRuleSettingsView | null;

  @ApiProperty({ type: ActivationRuleSettingsView })
  after!: ActivationRuleSettingsView;
}

export class PendingStaffingView implements Contracts.PendingStaffingView {
  @ApiProperty()
  patientId!: string;

  @ApiProperty({ enum: ACTIVATABLE_CHANNEL_TYPES })
  type!: ActivatableChannelType;

  @ApiProperty({ format: 'date-time' })
  decidedAt!: string;
}
