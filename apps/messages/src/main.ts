import 'reflect-metadata';
import { loadConfigOrExit } from '@wellifiy/config';
import { bootstrapService, runMain } from '@wellifiy/ops';
import { AppModule } from './app.module';
import { MessagesConfig } from './config/messages.config';

runMain('messages', async () => {
  const config = loadConfigOrExit(MessagesConfig, 'messages');
  await bootstrapService('messages', AppModule.register(config), config);
});
