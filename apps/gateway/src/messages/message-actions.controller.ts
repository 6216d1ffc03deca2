import { Body, Controller, Delete, Get, Param, Patch, Post, Put, Query, Res } from '@nestjs/common';
import { ApiBearerAuth, ApiCreatedResponse, ApiOkResponse, ApiTags } from '@nestjs/swagger';
import type { Response } from 'express';
import { Actor, MessagePage, Rpc } from '@wellifiy/contracts';
import { RpcClient } from '@wellifiy/messaging';
import { CurrentActor } from '../auth/current-actor.decorator';
import { DeleteMessageQuery, EditMessageDto, ListRepliesQuery, MessageParams, ReactionParams, ReplyDto } from './message-actions.dto';
import { ApiErrors, COMMON_ERRORS } from '../docs/error.view';
import { MessagePageView, MessageView } from './messages.view';

/** What members do with one message: thread replies, reactions, edit and delete. */
@ApiTags('messages')
@ApiBearerAuth()
@ApiErrors(...COMMON_ERRORS)
@Controller('v1/channels/:id/messages/:messageId')
export class MessageActionsController {
  constructor(private readonly rpc: RpcClient) {}

  /** The thread of a root message, ascending by seq; page with `after`. */
  @ApiOkResponse({ type: MessagePageView })
  @ApiErrors(400, 404)
  @Get('replies')
  replies(@CurrentActor() actor: Actor, @Param() p: MessageParams, @Query() q: ListRepliesQuery): Promise<MessagePage> {
    return this.rpc.send(Rpc.MessagesListReplies, { actor, channelId: p.id, messageId: p.messageId, ...q });
  }

  /** 201 with the reply; 200 with the original when the clientMessageId was already used. */
  @ApiCreatedResponse({ type: MessageView, description: 'The new reply' })
  @ApiOkResponse({ type: MessageView, description: 'The original reply: this clientMessageId was already used' })
  @ApiErrors(400, 404, 409, 413)
  @Post('replies')
  async reply(
    @CurrentActor() actor: Actor,
    @Param() p: MessageParams,
    @Body() dto: ReplyDto,
    @Res({ passthrough: true }) res: Response,
  ): Promise<MessageView> {
    const result = await this.rpc.send(Rpc.MessagesReply, { actor, channelId: p.id, messageId: p.messageId, ...dto });
    res.status(result.created ? 201 : 200);
    return result.message;
  }

  @ApiOkResponse({ type: MessageView })
  @ApiErrors(400, 404, 409, 413)
  @Patch()
  edit(@CurrentActor() actor: Actor, @Param() p: MessageParams, @Body() dto: EditMessageDto): Promise<MessageView> {
    return this.rpc.send(Rpc.MessagesEdit, { actor, channelId: p.id, messageId: p.messageId, ...dto });
  }

  /** Soft delete; returns the tombstone. */
  @ApiOkResponse({ type: MessageView })
  @ApiErrors(400, 404, 409)
  @Delete()
  remove(@CurrentActor() actor: Actor, @Param() p: MessageParams, @Query() q: DeleteMessageQuery): Promise<MessageView> {
    return this.rpc.send(Rpc.MessagesDelete, { actor, channelId: p.id, messageId: p.messageId, ...q });
  }

  @ApiOkResponse({ type: MessageView })
  @ApiErrors(400, 404, 409)
  @Put('reactions/:emoji')
  react(@CurrentActor() actor: Actor, @Param() p: ReactionParams): Promise<MessageView> {
    return this.rpc.send(Rpc.MessagesReact, { actor, channelId: p.id, messageId: p.messageId, emoji: p.emoji, on: true });
  }

  @ApiOkResponse({ type: MessageView })
  @ApiErrors(400, 404, 409)
  @Delete('reactions/:emoji')
  unreact(@CurrentActor() actor: Actor, @Param() p: ReactionParams): Promise<MessageView> {
    return this.rpc.send(Rpc.MessagesReact, { actor, channelId: p.id, messageId: p.messageId, emoji: p.emoji, on: false });
  }
}
