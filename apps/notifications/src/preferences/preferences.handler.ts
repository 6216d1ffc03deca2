import { Controller } from '@nestjs/common';
import { MessagePattern, Payload } from '@nestjs/microservices';
import { GetSettingsRequest, NotificationSettingsView, PutSettingsRequest, Rpc } from '@wellifiy/contracts';
import { PreferencesService } from './preferences.service';

@Controller()
export class PreferencesHandler {
  constructor(private readonly settings: PreferencesService) {}

  @MessagePattern(Rpc.NotificationsGetSettings)
  get(@Payload() req: GetSettingsRequest): Promise<NotificationSettingsView> {
    return this.settings.get(req.actor, req.userId);
  }

  @MessagePattern(Rpc.NotificationsPutSettings)
  put(@Payload() { actor, userId, ...patch }: PutSettingsRequest): Promise<NotificationSettingsView> {
    return this.settings.put(actor, userId, patch);
  }
}
