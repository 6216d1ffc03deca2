import { Controller, Get, Param } from '@nestjs/common';
import { ApiBearerAuth, ApiOkResponse, ApiTags } from '@nestjs/swagger';
import { Actor, Rpc } from '@wellifiy/contracts';
import { RpcClient } from '@wellifiy/messaging';
import { CurrentActor } from '../auth/current-actor.decorator';
import { ApiErrors, COMMON_ERRORS } from '../docs/error.view';
import { MessageIdParams } from './audit.dto';
import { MessageVersionsView } from './message-versions.view';

/** Compliance review of one message: the messages service checks `audit:read` (403) and records the read. */
@ApiTags('admin')
@ApiBearerAuth()
@ApiErrors(...COMMON_ERRORS)
@Controller('v1/admin/messages')
export class MessageVersionsController {
  constructor(private readonly rpc: RpcClient) {}

  /** Every version of a message of this organisation, oldest first: the text as sent, then each edit or delete (who, when, why). */
  @ApiOkResponse({ type: MessageVersionsView })
  @ApiErrors(400, 404)
  @Get(':messageId/versions')
  versions(@CurrentActor() actor: Actor, @Param() p: MessageIdParams): Promise<MessageVersionsView> {
    return this.rpc.send(Rpc.MessagesVersions, { actor, messageId: p.messageId });
  }
}
