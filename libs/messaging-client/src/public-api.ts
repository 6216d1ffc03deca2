// Everything both entry points export (index.ts for browsers, node.ts for Node).
export type {
  BadgeUpdatedPayload, ChannelListItem, ChannelView, MarkReadResult, MediaView, MessageDeletedPayload, MessagePage, MessageView, MeView,
  ReactionUpdatedPayload, ReceiptUpdatedPayload, ServerToClientEvents, ClientToServerEvents, TypingPayload, UnreadSummary,
} from '@wellifiy/contracts';
export { backoffDelay, retryDelay, DEFAULT_RECONNECT_BACKOFF, DEFAULT_RETRY_BACKOFF, type BackoffOptions } from './backoff';
export {
  ChannelStore, reduceChannelList, selectChannels, initialChannelListState, type ChannelEntry, type ChannelListAction, type ChannelListState,
} from './channel-store';
export {
  MessagingClient, newClientMessageId, type ConnectionState, type MessagingClientEvents, type MessagingClientOptions, type SendInput,
  type SocketFactory, type UploadOptions,
} from './client';
export { TypedEmitter } from './emitter';
export { ClientErrorCode, isMessagingApiError, MessagingApiError, parseRetryAfter } from './errors';
export { HttpTransport, type TokenProvider } from './http';
export type { CreateClientOptions } from './options';
export { PendingQueue, type PendingSend } from './pending-queue';
export { MessagingRestApi, type ListMessagesOptions } from './rest';
export { ChannelTimeline } from './timeline';
export { TypingThrottle } from './typing';
export { fetchStreamUploader, xhrUploader, type Uploader, type UploadProgress, type UploadRequest, type UploadResponse } from './upload';
