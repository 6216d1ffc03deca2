import { Body, Controller, Get, Param, Post, Query, Res } from '@nestjs/common';
import { ApiBearerAuth, ApiCreatedResponse, ApiOkResponse, ApiTags } from '@nestjs/swagger';
import type { Response } from 'express';
import { Actor, MessagePage, Rpc } from '@wellifiy/contracts';
import { RpcClient } from '@wellifiy/messaging';
import { CurrentActor } from '../auth/current-actor.decorator';
import { ChannelIdParams } from '../channels/channels.dto';
import { ListMessagesQuery, SendMessageDto } from './messages.dto';
import { ApiErrors, COMMON_ERRORS } from '../docs/error.view';
import { MessagePageView, MessageView } from './messages.view';

@ApiTags('messages')
@ApiBearerAuth()
@ApiErrors(...COMMON_ERRORS)
@Controller('v1/channels/:id/messages')
export class MessagesController {
  constructor(private readonly rpc: RpcClient) {}

  @ApiOkResponse({ type: MessagePageView })
  @ApiErrors(400, 404)
  @Get()
  list(@CurrentActor() actor: Actor, @Param() p: ChannelIdParams, @Query() q: ListMessagesQuery): Promise<MessagePage> {
    const { roots, ...range } = q;
    return this.rpc.send(Rpc.MessagesList, { actor, channelId: p.id, ...range, ...(roots ? { roots: roots === 'true' } : {}) });
  }

  /** 201 with the new message; 200 with the original when the clientMessageId was already used. */
  @ApiCreatedResponse({ type: MessageView, description: 'The new message' })
  @ApiOkResponse({ type: MessageView, description: 'The original message: this clientMessageId was already used' })
  @ApiErrors(400, 404, 409, 413)
  @Post()
  async send(
    @CurrentActor() actor: Actor,
    @Param() p: ChannelIdParams,
    @Body() dto: SendMessageDto,
    @Res({ passthrough: true }) res: Response,
  ): Promise<MessageView> {
    const result = await this.rpc.send(Rpc.MessagesSend, { actor, channelId: p.id, ...dto });
    res.status(result.created ? 201 : 200);
    return result.message;
  }
}
