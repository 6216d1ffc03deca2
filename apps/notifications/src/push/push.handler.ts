import { Controller } from '@nestjs/common';
import { MessagePattern, Payload } from '@nestjs/microservices';
import { DeletePushRequest, PushConfigView, PushSubscriptionView, RegisterPushRequest, Rpc } from '@wellifiy/contracts';
import { PushService } from './push.service';

@Controller()
export class PushHandler {
  constructor(private readonly push: PushService) {}

  @MessagePattern(Rpc.NotificationsRegisterPush)
  register(@Payload() req: RegisterPushRequest): Promise<PushSubscriptionView> {
    return this.push.register(req.actor, req.endpoint, { p256dh: req.keys.p256dh, auth: req.keys.auth });
  }

  @MessagePattern(Rpc.NotificationsDeletePush)
  unregister(@Payload() req: DeletePushRequest): Promise<{ deleted: true }> {
    return this.push.unregister(req.actor, req.subscriptionId);
  }

  @MessagePattern(Rpc.NotificationsPushConfig)
  config(): PushConfigView {
    return this.push.pushConfig();
  }
}
