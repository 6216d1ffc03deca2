// Reached only through bad-entry.ts: the audit must follow relative imports.
import { Readable } from 'stream';

export const stream = Readable;
