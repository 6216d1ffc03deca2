import { DynamicModule, MiddlewareConsumer, Module, NestModule } from '@nestjs/common';
import { APP_GUARD } from '@nestjs/core';
import { PassportModule } from '@nestjs/passport';
import type Redis from 'ioredis';
import { InfrastructureModule, ReadinessCheck } from '@wellifiy/ops';
import { ActivationRulesController } from './admin/activation-rules.controller';
import { ArchivedMemberGuard } from './auth/archived-member.guard';
import { ArchivedMembersConsumer } from './auth/archived-members.consumer';
import { ArchivedMembersStore } from './auth/archived-members.store';
import { JwtAuthGuard } from './auth/jwt-auth.guard';
import { JwtStrategy } from './auth/jwt.strategy';
import { AuditController } from './admin/audit.controller';
import { MessageVersionsController } from './admin/message-versions.controller';
import { PatientExportController } from './admin/patient-export.controller';
import { RetentionController } from './admin/retention.controller';
import { ChannelsAdminController } from './channels/channels-admin.controller';
import { ChannelsController } from './channels/channels.controller';
import { GatewayConfig } from './config/gateway.config';
import { CorrelationIdMiddleware } from './http/correlation-id.middleware';
import { UnsafeInputMiddleware } from './http/unsafe-input.middleware';
import { DevModule } from './dev/dev.module';
import { ServiceAvailability } from './health/service-availability';
import { ServicesHealthController } from './health/services-health.controller';
import { EventsDocsController } from './docs/events-docs.controller';
import { MeController } from './me/me.controller';
import { MediaStoreClient } from './media/media-store.client';
import { MediaController } from './media/media.controller';
import { MessageActionsController } from './messages/message-actions.controller';
import { MessagesController } from './messages/messages.controller';
import { NotificationsController } from './notifications/notifications.controller';
import { RateLimitGuard } from './rate-limit/rate-limit.guard';
import { AccessEventsRealtime } from './realtime/access-events.realtime';
import { ChannelEventsRealtime } from './realtime/channel-events.realtime';
import { ConnectionLimiter } from './realtime/connection-limiter';
import { MessageEventsRealtime } from './realtime/message-events.realtime';
import { NotificationEventsRealtime } from './realtime/notification-events.realtime';
import { RealtimeFanout } from './realtime/realtime-fanout';
import { RealtimeGateway } from './realtime/realtime.gateway';
import { RealtimeRouter } from './realtime/realtime-router';
import { TypingGateway } from './realtime/typing.gateway';
import { REDIS } from './redis/redis.provider';
import { RedisModule } from './redis/redis.module';

/**
 * The gateway is ready when its own broker connection and Redis answer. The services behind it are not part of
 * its readiness: one that is down makes its own routes answer 503 (ServiceAvailability, GET /health/services).
 */
function readinessChecks(redis: Redis): ReadinessCheck[] {
  return [
    {
      name: 'redis',
      check: async () => {
        await redis.ping();
      },
    },
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
        InfrastructureModule.forService({
          service: 'gateway',
          config,
          rpcLimits: { maxInFlightPerService: config.RPC_MAX_IN_FLIGHT },
          readiness: { inject: [REDIS], useFactory: readinessChecks },
        }),
        // Development sign-in: an empty module unless NODE_ENV=development
        DevModule.register(config),
      ],
      controllers: [
        MeController,
        ChannelsController,
        ChannelsAdminController,
        AuditController,
        MessageVersionsController,
        PatientExportController,
        RetentionController,
        MessagesController,
        MessageActionsController,
        ActivationRulesController,
        NotificationsController,
        MediaController,
        EventsDocsController,
        ServicesHealthController,
      ],
      providers: [
        JwtStrategy,
        { provide: APP_GUARD, useClass: JwtAuthGuard },
        // after authentication, before anything else: an archived team member's access has ended
        { provide: APP_GUARD, useClass: ArchivedMemberGuard },
        { provide: APP_GUARD, useClass: RateLimitGuard },
        ArchivedMembersStore,
        ArchivedMembersConsumer,
        ConnectionLimiter,
        RealtimeGateway,
        RealtimeRouter,
        RealtimeFanout,
        MediaStoreClient,
        ServiceAvailability,
        // realtime handlers, one provider per feature
        AccessEventsRealtime,
        ChannelEventsRealtime,
        MessageEventsRealtime,
        NotificationEventsRealtime,
        TypingGateway,
      ],
    };
  }

  configure(consumer: MiddlewareConsumer): void {
    // The correlation id first, so a refusal of hostile input still carries it.
    consumer.apply(CorrelationIdMiddleware, UnsafeInputMiddleware).forRoutes('*');
  }
}

/** Makes the validated config injectable everywhere in the gateway. */
@Module({})
class ConfigHolder {}
