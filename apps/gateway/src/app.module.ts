import { DynamicModule, MiddlewareConsumer, Module, NestModule } from '@nestjs/common';
import { APP_GUARD } from '@nestjs/core';
import { PassportModule } from '@nestjs/passport';
import type Redis from 'ioredis';
import { PING_RPC, SERVICES } from '@wellifiy/contracts';
import { MessagingModule, RpcClient } from '@wellifiy/messaging';
import { OpsModule, ReadinessCheck } from '@wellifiy/ops';
import { ActivationRulesController } from './admin/activation-rules.controller';
import { JwtAuthGuard } from './auth/jwt-auth.guard';
import { JwtStrategy } from './auth/jwt.strategy';
import { ChannelsAdminController } from './channels/channels-admin.controller';
import { ChannelsController } from './channels/channels.controller';
import { GatewayConfig } from './config/gateway.config';
import { CorrelationIdMiddleware } from './http/correlation-id.middleware';
import { MeController } from './me/me.controller';
import { MediaStoreClient } from './media/media-store.client';
import { MediaController } from './media/media.controller';
import { MessageActionsController } from './messages/message-actions.controller';
import { MessagesController } from './messages/messages.controller';
import { NotificationsController } from './notifications/notifications.controller';
import { RateLimitGuard } from './rate-limit/rate-limit.guard';
import { ChannelEventsRealtime } from './realtime/channel-events.realtime';
import { MessageEventsRealtime } from './realtime/message-events.realtime';
import { NotificationEventsRealtime } from './realtime/notification-events.realtime';
import { RealtimeFanout } from './realtime/realtime-fanout';
import { RealtimeGateway } from './realtime/realtime.gateway';
import { RealtimeRouter } from './realtime/realtime-router';
import { TypingGateway } from './realtime/typing.gateway';
import { REDIS } from './redis/redis.provider';
import { RedisModule } from './redis/redis.module';

const SERVICE_PING_TIMEOUT_MS = 1500;

function readinessChecks(redis: Redis, rpc: RpcClient): ReadinessCheck[] {
  return [
    {
      name: 'redis',
      check: async () => {
        await redis.ping();
      },
    },
    ...SERVICES.map((service) => ({
      name: service,
      check: async () => {
        await rpc.send(PING_RPC[service], {}, { timeoutMs: SERVICE_PING_TIMEOUT_MS });
      },
    })),
  ];
}

@Module({})
export class AppModule implements NestModule {
  static register(config: GatewayConfig): DynamicModule {
    return {
      module: AppModule,
      imports: [
        { module: ConfigHolder, providers: [{ provide: GatewayConfig, useValue: config }], exports: [GatewayConfig], global: true },
        PassportModule,
        RedisModule,
        MessagingModule.forRoot({ url: config.AMQP_URL, source: 'gateway', rpcTimeoutMs: config.RPC_TIMEOUT_MS }),
        OpsModule.forRoot({ mongo: false, extraChecks: { inject: [REDIS, RpcClient], useFactory: readinessChecks } }),
      ],
      controllers: [
        MeController,
        ChannelsController,
        ChannelsAdminController,
        MessagesController,
        MessageActionsController,
        ActivationRulesController,
        NotificationsController,
        MediaController,
      ],
      providers: [
        JwtStrategy,
        { provide: APP_GUARD, useClass: JwtAuthGuard },
        { provide: APP_GUARD, useClass: RateLimitGuard },
        RealtimeGateway,
        RealtimeRouter,
        RealtimeFanout,
        MediaStoreClient,
        // realtime handlers, one provider per feature
        ChannelEventsRealtime,
        MessageEventsRealtime,
        NotificationEventsRealtime,
        TypingGateway,
      ],
    };
  }

  configure(consumer: MiddlewareConsumer): void {
    consumer.apply(CorrelationIdMiddleware).forRoutes('*');
  }
}

/** Makes the validated config injectable everywhere in the gateway. */
@Module({})
class ConfigHolder {}
