import 'reflect-metadata';
import { loadConfigOrExit } from '@wellifiy/config';
import { bootstrapService, runMain } from '@wellifiy/ops';
import { AppModule } from './app.module';
import { NotificationsConfig } from './config/notifications.config';

runMain('notifications', async () => {
  const config = loadConfigOrExit(NotificationsConfig, 'notifications');
  await bootstrapService('notifications', AppModule.register(config), config);
});
