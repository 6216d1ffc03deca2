import type { Readable } from 'node:stream';
import busboy from 'busboy';
import type { Request } from 'express';
import { DomainError, ErrorCode } from '@wellifiy/contracts';

export interface IncomingFile {
  /** The file's bytes as they arrive; emits 'limit' when they pass `maxBytes` (and stops there). */
  stream: Readable;
}

/**
 * The multipart field `field` of an upload as a stream, as soon as its part begins: nothing is buffered here
 * (busboy parses the body as it arrives). Other fields are ignored; a second file is not read. Refuses with
 * VALIDATION_FAILED (400) a body that is not multipart/form-data or ends without the field.
 */
export function incomingFile(req: Request, field: string, maxBytes: number): Promise<IncomingFile> {
  return new Promise((resolve, reject) => {
    let parser: busboy.Busboy;
    try {
      parser = busboy({ headers: req.headers, limits: { fileSize: maxBytes, files: 1, fields: 20, parts: 25 } });
    } catch {
      reject(new DomainError(ErrorCode.ValidationFailed, 'the upload must be multipart/form-data with a "file" field'));
      return;
    }
    let found = false;
    parser.on('file', (name, stream) => {
      if (name !== field || found) {
        stream.resume(); // not ours: read and dropped
        return;
      }
      found = true;
      // A body that ends mid-part errors this stream, possibly before its consumer listens (it first asks for an
      // upload ticket): unheard, that 'error' would crash the process. The consumer reads `stream.errored`.
      stream.on('error', () => undefined);
      resolve({ stream });
    });
    parser.on('error', (err: Error) => {
      if (!found) reject(new DomainError(ErrorCode.ValidationFailed, `unreadable multipart body: ${err.message}`));
    });
    parser.on('close', () => {
      if (!found) reject(new DomainError(ErrorCode.ValidationFailed, `multipart field "${field}" is required`));
    });
    req.pipe(parser);
  });
}
