// A deliberately bad "browser entry" for browser-entry.spec.ts: every line below must be reported.
import { randomUUID } from 'node:crypto';
import { ErrorCode } from '@wellifiy/contracts';
import './bad-helper';

export const id = (): string => `${randomUUID()}${ErrorCode.Internal}${Buffer.from('x').toString()}`;
