/*
 * Browser entry of @wellifiy/messaging-client. Only fetch, socket.io-client and standard web APIs:
 * browser-entry.spec.ts fails the build if anything reachable from here imports a Node module.
 */
import { clientFactory } from './options';
import { fetchStreamUploader, hasXhr, xhrUploader } from './upload';

export * from './public-api';

/** A client for browsers: uploads go through XMLHttpRequest (upload progress events) where it exists. */
export const createMessagingClient = clientFactory((fetchImpl) => (hasXhr() ? xhrUploader : fetchStreamUploader(fetchImpl)));
