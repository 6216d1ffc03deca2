import { Body, Controller, Delete, Get, HttpCode, Param, Post, Put } from '@nestjs/common';
import { ApiBearerAuth, ApiCreatedResponse, ApiNoContentResponse, ApiOkResponse, ApiTags } from '@nestjs/swagger';
import { Actor, MarkReadResult, ReceiptsResult, Rpc, UnreadSummary } from '@wellifiy/contracts';
import { RpcClient } from '@wellifiy/messaging';
import { CurrentActor } from '../auth/current-actor.decorator';
import { ChannelParams, MarkReadDto, NotificationSettingsDto, PushSubscriptionDto, SubscriptionParams, UserParams } from './notifications.dto';
import { ApiErrors, COMMON_ERRORS } from '../docs/error.view';
import {
  MarkReadResultView, NotificationSettingsView, PushConfigView, PushSubscriptionView, ReceiptsResultView, UnreadSummaryView,
} from './notifications.view';

/** Read state, badges, receipts, notification preferences and push registrations (the notifications service). */
@ApiTags('notifications')
@ApiBearerAuth()
@ApiErrors(...COMMON_ERRORS)
@Controller('v1')
export class NotificationsController {
  constructor(private readonly rpc: RpcClient) {}

  /** Moves my read marker forward (never back); answers with my new unread count and badge. */
  @ApiOkResponse({ type: MarkReadResultView })
  @ApiErrors(400, 404)
  @Post('channels/:id/read')
  @HttpCode(200)
  markRead(@CurrentActor() actor: Actor, @Param() p: ChannelParams, @Body() dto: MarkReadDto): Promise<MarkReadResult> {
    return this.rpc.send(Rpc.NotificationsMarkRead, { actor, channelId: p.id, seq: dto.seq });
  }

  /** Who has read up to where (patients see the team's markers and their own). */
  @ApiOkResponse({ type: ReceiptsResultView })
  @ApiErrors(400, 404)
  @Get('channels/:id/receipts')
  receipts(@CurrentActor() actor: Actor, @Param() p: ChannelParams): Promise<ReceiptsResult> {
    return this.rpc.send(Rpc.NotificationsReceipts, { actor, channelId: p.id });
  }

  /** Total unread over my non-archived, non-muted channels, and the count per channel. */
  @ApiOkResponse({ type: UnreadSummaryView })
  @Get('me/badge')
  badge(@CurrentActor() actor: Actor): Promise<UnreadSummary> {
    return this.rpc.send(Rpc.NotificationsUnreadSummary, { actor });
  }

  @ApiOkResponse({ type: NotificationSettingsView })
  @Get('me/notification-settings')
  mySettings(@CurrentActor() actor: Actor): Promise<NotificationSettingsView> {
    return this.rpc.send(Rpc.NotificationsGetSettings, { actor });
  }

  @ApiOkResponse({ type: NotificationSettingsView })
  @ApiErrors(400, 404)
  @Put('me/notification-settings')
  putMySettings(@CurrentActor() actor: Actor, @Body() dto: NotificationSettingsDto): Promise<NotificationSettingsView> {
    return this.rpc.send(Rpc.NotificationsPutSettings, { actor, ...dto });
  }

  /** A team member reads a patient's settings. */
  @ApiOkResponse({ type: NotificationSettingsView })
  @ApiErrors(400, 404)
  @Get('users/:userId/notification-settings')
  userSettings(@CurrentActor() actor: Actor, @Param() p: UserParams): Promise<NotificationSettingsView> {
    return this.rpc.send(Rpc.NotificationsGetSettings, { actor, userId: p.userId });
  }

  /** A team member changes a patient's settings; patients cannot change anyone else's (403). */
  @ApiOkResponse({ type: NotificationSettingsView })
  @ApiErrors(400, 404)
  @Put('users/:userId/notification-settings')
  putUserSettings(
    @CurrentActor() actor: Actor,
    @Param() p: UserParams,
    @Body() dto: NotificationSettingsDto,
  ): Promise<NotificationSettingsView> {
    return this.rpc.send(Rpc.NotificationsPutSettings, { actor, userId: p.userId, ...dto });
  }

  /** The VAPID public key a client passes to PushManager.subscribe(). */
  @ApiOkResponse({ type: PushConfigView })
  @Get('me/push-config')
  pushConfig(@CurrentActor() actor: Actor): Promise<PushConfigView> {
    return this.rpc.send(Rpc.NotificationsPushConfig, { actor });
  }

  /** Registers this device for push (patients); registering the same endpoint again updates it; an endpoint another user registered is 409 PUSH_ENDPOINT_TAKEN. */
  @ApiCreatedResponse({ type: PushSubscriptionView, description: 'The registered subscription' })
  @ApiErrors(400, 409)
  @Post('me/push-subscriptions')
  registerPush(@CurrentActor() actor: Actor, @Body() dto: PushSubscriptionDto): Promise<PushSubscriptionView> {
    return this.rpc.send(
      Rpc.NotificationsRegisterPush,
      { actor, endpoint: dto.endpoint, keys: { p256dh: dto.keys.p256dh, auth: dto.keys.auth } },
    );
  }

  @ApiNoContentResponse({ description: 'Removed' })
  @ApiErrors(400, 404)
  @Delete('me/push-subscriptions/:id')
  @HttpCode(204)
  async deletePush(@CurrentActor() actor: Actor, @Param() p: SubscriptionParams): Promise<void> {
    await this.rpc.send(Rpc.NotificationsDeletePush, { actor, subscriptionId: p.id });
  }
}
