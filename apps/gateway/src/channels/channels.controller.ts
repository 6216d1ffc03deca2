import { Body, Controller, Delete, Get, HttpCode, Logger, Param, Post, Query, Res } from '@nestjs/common';
import { ApiBearerAuth, ApiCreatedResponse, ApiOkResponse, ApiTags } from '@nestjs/swagger';
import type { Response } from 'express';
import { Actor, Rpc } from '@wellifiy/contracts';
import { currentCorrelationId, RpcClient } from '@wellifiy/messaging';
import { CurrentActor } from '../auth/current-actor.decorator';
import {
  ActivateParams, AddMemberDto, ChannelIdParams, CreateChannelDto, ListChannelsQuery, MemberParams, RemoveMemberQuery,
} from './channels.dto';
import { ApiErrors, COMMON_ERRORS } from '../docs/error.view';
import { ChannelListItemView, ChannelMemberView, ChannelView, LeftView } from './channels.view';

@ApiTags('channels')
@ApiBearerAuth()
@ApiErrors(...COMMON_ERRORS)
@Controller('v1')
export class ChannelsController {
  private readonly logger = new Logger('ChannelsController');

  constructor(private readonly rpc: RpcClient) {}

  /**
   * My channels, each with `unreadCount` from the notifications service. If that service cannot answer,
   * the list still comes back, with `unreadCount: null` (counts are advisory; the channels are not).
   */
  @ApiOkResponse({ type: [ChannelListItemView] })
  @ApiErrors(400)
  @Get('channels')
  async list(@CurrentActor() actor: Actor, @Query() q: ListChannelsQuery): Promise<(ChannelView & { unreadCount: number | null })[]> {
    const correlationId = currentCorrelationId();
    const [channels, unread] = await Promise.all([
      this.rpc.send(Rpc.ChannelsList, { actor, ...q }, { correlationId }),
      this.rpc.send(Rpc.NotificationsUnreadSummary, { actor }, { correlationId }).catch((err: unknown) => {
        this.logger.warn(`unread counts unavailable [correlationId=${correlationId}]: ${(err as Error).message}`);
        return null;
      }),
    ]);
    const byChannel = new Map(unread?.channels.map((c) => [c.channelId, c.unread]) ?? []);
    return channels.map((c) => ({ ...c, unreadCount: unread ? (byChannel.get(c.id) ?? 0) : null }));
  }

  /** 201 with a new channel; 200 with the existing DM when one with the same members exists. */
  @ApiCreatedResponse({ type: ChannelView, description: 'A new channel' })
  @ApiOkResponse({ type: ChannelView, description: 'The existing DM with the same members' })
  @ApiErrors(400, 404, 409)
  @Post('channels')
  async create(
    @CurrentActor() actor: Actor,
    @Body() dto: CreateChannelDto,
    @Res({ passthrough: true }) res: Response,
  ): Promise<ChannelView> {
    const result = await this.rpc.send(Rpc.ChannelsCreate, { actor, ...dto });
    res.status(result.created ? 201 : 200);
    return result.channel;
  }

  @ApiOkResponse({ type: ChannelView })
  @ApiErrors(400, 404)
  @Get('channels/:id')
  get(@CurrentActor() actor: Actor, @Param() p: ChannelIdParams): Promise<ChannelView> {
    return this.rpc.send(Rpc.ChannelsGet, { actor, channelId: p.id });
  }

  /** Members with names as this caller may see them (patients see other patients' display names only). */
  @ApiOkResponse({ type: [ChannelMemberView] })
  @ApiErrors(400, 404)
  @Get('channels/:id/members')
  members(@CurrentActor() actor: Actor, @Param() p: ChannelIdParams): Promise<ChannelMemberView[]> {
    return this.rpc.send(Rpc.ChannelsMembers, { actor, channelId: p.id });
  }

  @ApiOkResponse({ type: ChannelView })
  @ApiErrors(400, 404, 409)
  @Post('channels/:id/members')
  @HttpCode(200)
  addMember(@CurrentActor() actor: Actor, @Param() p: ChannelIdParams, @Body() dto: AddMemberDto): Promise<ChannelView> {
    return this.rpc.send(Rpc.ChannelsAddMember, { actor, channelId: p.id, userId: dto.userId });
  }

  @ApiOkResponse({ type: ChannelView })
  @ApiErrors(400, 404, 409)
  @Delete('channels/:id/members/:userId')
  removeMember(@CurrentActor() actor: Actor, @Param() p: MemberParams, @Query() q: RemoveMemberQuery): Promise<ChannelView> {
    return this.rpc.send(Rpc.ChannelsRemoveMember, { actor, channelId: p.id, userId: p.userId, ...q });
  }

  @ApiOkResponse({ type: LeftView })
  @ApiErrors(400, 404, 409)
  @Post('channels/:id/leave')
  @HttpCode(200)
  leave(@CurrentActor() actor: Actor, @Param() p: ChannelIdParams): Promise<{ left: true }> {
    return this.rpc.send(Rpc.ChannelsLeave, { actor, channelId: p.id });
  }

  @ApiOkResponse({ type: ChannelView })
  @ApiErrors(400, 404)
  @Post('channels/:id/archive')
  @HttpCode(200)
  archive(@CurrentActor() actor: Actor, @Param() p: ChannelIdParams): Promise<ChannelView> {
    return this.rpc.send(Rpc.ChannelsArchive, { actor, channelId: p.id });
  }

  @ApiOkResponse({ type: ChannelView })
  @ApiErrors(400, 404)
  @Post('channels/:id/unarchive')
  @HttpCode(200)
  unarchive(@CurrentActor() actor: Actor, @Param() p: ChannelIdParams): Promise<ChannelView> {
    return this.rpc.send(Rpc.ChannelsUnarchive, { actor, channelId: p.id });
  }

  /** Manual activation of a patient's care_team / service_team channel. */
  @ApiOkResponse({ type: ChannelView })
  @ApiErrors(400, 404, 409)
  @Post('patients/:patientId/channels/:type/activate')
  @HttpCode(200)
  activate(@CurrentActor() actor: Actor, @Param() p: ActivateParams): Promise<ChannelView> {
    return this.rpc.send(Rpc.ChannelsActivate, { actor, patientId: p.patientId, type: p.type });
  }
}
