import 'reflect-metadata';
import { loadConfigOrExit } from '@wellifiy/config';
import { bootstrapService, runMain } from '@wellifiy/ops';
import { AppModule } from './app.module';
import { ChannelsConfig } from './config/channels.config';

runMain('channels', async () => {
  const config = loadConfigOrExit(ChannelsConfig, 'channels');
  await bootstrapService('channels', AppModule.register(config), config);
});
