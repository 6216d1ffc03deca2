import { ApiProperty } from '@nestjs/swagger';
import type * as Contracts from '@wellifiy/contracts';

/* Response body of GET /v1/admin/messages/:messageId/versions for the OpenAPI document. */

export class MessageVersionEntryView implements Contracts.MessageVersionEntry {
  @ApiProperty({ minimum: 0, description: '0 is the text as sent' })
  version!: number;

  @ApiProperty({ description: 'The text of this version (opened)' })
  body!: string;

  @ApiProperty({ enum: ['sent', 'edit', 'delete'], description: 'What produced this version' })
  change!: 'sent' | 'edit' | 'delete';

  @ApiProperty({ description: 'Who sent or changed it' })
  actorId!: string;

  @ApiProperty({ enum: ['author', 'staff'], description: "`staff` when a team member changed someone else's message" })
  as!: 'author' | 'staff';

  @ApiProperty({ type: String, nullable: true, description: 'Why (required when staff changed it)' })
  reason!: string | null;

  @ApiProperty({ format: 'date-time' })
  at!: string;
}

export class MessageVersionsView implements Contracts.MessageVersionsView {
  @ApiProperty()
  messageId!: string;

  @ApiProperty()
  channelId!: string;

  @ApiProperty()
  senderId!: string;

  @ApiProperty()
  deleted!: boolean;

  @ApiProperty({ type: () => [MessageVersionEntryView] })
  versions!: MessageVersionEntryView[];
}
