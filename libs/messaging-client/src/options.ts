import { MessagingClient, type MessagingClientOptions } from './client';
import type { Uploader } from './upload';

/** Options of createMessagingClient: the uploader is chosen by the entry point unless given. */
export type CreateClientOptions = Omit<MessagingClientOptions, 'uploader'> & { uploader?: Uploader };

export function clientFactory(defaultUploader: (fetchImpl?: typeof fetch) => Uploader): (opts: CreateClientOptions) => MessagingClient {
  return (opts) => new MessagingClient({ ...opts, uploader: opts.uploader ?? defaultUploader(opts.fetch) });
}
