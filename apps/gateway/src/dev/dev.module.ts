import { DynamicModule, Module } from '@nestjs/common';
import { GatewayConfig } from '../config/gateway.config';
import { DevSignInService } from './dev-sign-in.service';
import { DevController } from './dev.controller';

/**
 * Whether this gateway serves the development sign-in: asked for (DEV_SIGN_IN=true), NODE_ENV=development, and HS256
 * tokens (the secret it signs with). All three, so neither a forgotten NODE_ENV nor a stray flag turns it on alone.
 */
export function devSignInEnabled(config: Pick<GatewayConfig, 'DEV_SIGN_IN' | 'NODE_ENV' | 'JWT_ALGORITHM' | 'JWT_SECRET'>): boolean {
  return config.DEV_SIGN_IN && config.NODE_ENV === 'development' && config.JWT_ALGORITHM === 'HS256' && !!config.JWT_SECRET;
}

/**
 * The development sign-in routes, compiled into every build but registered only when devSignInEnabled: in test and
 * production the module is empty, so the routes answer 404 like any unknown path and the OpenAPI document has none.
 */
@Module({})
export class DevModule {
  static register(config: GatewayConfig): DynamicModule {
    if (!devSignInEnabled(config)) return { module: DevModule };
    return { module: DevModule, controllers: [DevController], providers: [DevSignInService] };
  }
}
