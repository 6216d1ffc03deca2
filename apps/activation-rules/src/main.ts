import 'reflect-metadata';
import { loadConfigOrExit } from '@wellifiy/config';
import { bootstrapService, runMain } from '@wellifiy/ops';
import { AppModule } from './app.module';
import { ActivationRulesConfig } from './config/activation-rules.config';

runMain('activation-rules', async () => {
  const config = loadConfigOrExit(ActivationRulesConfig, 'activation-rules');
  await bootstrapService('activation-rules', AppModule.register(config), config);
});
