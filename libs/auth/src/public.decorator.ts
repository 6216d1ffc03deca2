import { SetMetadata } from '@nestjs/common';

export const IS_PUBLIC_KEY = 'wellifiy:isPublic';
/** Marks an endpoint that needs no token (probes, metrics). Everything else requires one. */
export const Public = (): MethodDecorator & ClassDecorator => SetMetadata(IS_PUBLIC_KEY, true);
