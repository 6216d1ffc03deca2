/*
 * Node entry of @wellifiy/messaging-client (`@wellifiy/messaging-client/node`): the same client; uploads
 * stream the multipart body through fetch, reporting progress by bytes written (Node has no XMLHttpRequest).
 */
import { clientFactory } from './options';
import { fetchStreamUploader } from './upload';

export * from './public-api';

export const createMessagingClient = clientFactory((fetchImpl) => fetchStreamUploader(fetchImpl));
