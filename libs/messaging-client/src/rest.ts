import type {
  ActivatableChannelType, ActivationRuleBody, ActivationRuleChangeView, ActivationRuleHistoryQueryParams, ActivationRuleView, AddMemberBody,
  AuditPage, AuditQueryParams, ChannelListItem, ChannelMemberView, ChannelView, CreateChannelBody, DeleteMessageQueryParams,
  EditMessageBody, ListChannelsQueryParams, ListMessagesQueryParams, ListRepliesQueryParams, MarkReadResult, MediaVariant, MeView,
  MessagePage, MessageView, NotificationSettingsBody, NotificationSettingsView, PendingStaffingQueryParams, PendingStaffingView,
  PushConfigView, PushSubscriptionBody, PushSubscriptionView, ReceiptsResult, RemoveMemberQueryParams, ReplyBody, SendMessageBody,
  UnreadSummary, UpdateProfileBody,
} from '@wellifiy/contracts';
import { HttpTransport, seg } from './http';

/** Query of GET /v1/channels/:id/messages as callers write it (`roots` as a boolean). */
export type ListMessagesOptions = Omit<ListMessagesQueryParams, 'roots'> & { roots?: boolean };

/**
 * Every REST route of the gateway (DESIGN §6), typed with the contracts the gateway itself uses.
 * Each method is one HTTP call; failures throw MessagingApiError.
 */
export class MessagingRestApi {
  constructor(private readonly http: HttpTransport) {}

  // --- me ---
  me(): Promise<MeView> {
    return this.http.request({ method: 'GET', path: '/v1/me' });
  }
  updateProfile(body: UpdateProfileBody): Promise<MeView> {
    return this.http.request({ method: 'PATCH', path: '/v1/me/profile', body });
  }
  badge(): Promise<UnreadSummary> {
    return this.http.request({ method: 'GET', path: '/v1/me/badge' });
  }
  notificationSettings(): Promise<NotificationSettingsView> {
    return this.http.request({ method: 'GET', path: '/v1/me/notification-settings' });
  }
  putNotificationSettings(body: NotificationSettingsBody): Promise<NotificationSettingsView> {
    return this.http.request({ method: 'PUT', path: '/v1/me/notification-settings', body });
  }
  /** A team member reads a patient's settings. */
  userNotificationSettings(userId: string): Promise<NotificationSettingsView> {
    return this.http.request({ method: 'GET', path: `/v1/users/${seg(userId)}/notification-settings` });
  }
  putUserNotificationSettings(userId: string, body: NotificationSettingsBody): Promise<NotificationSettingsView> {
    return this.http.request({ method: 'PUT', path: `/v1/users/${seg(userId)}/notification-settings`, body });
  }
  pushConfig(): Promise<PushConfigView> {
    return this.http.request({ method: 'GET', path: '/v1/me/push-config' });
  }
  registerPush(body: PushSubscriptionBody): Promise<PushSubscriptionView> {
    return this.http.request({ method: 'POST', path: '/v1/me/push-subscriptions', body });
  }
  async deletePush(subscriptionId: string): Promise<void> {
    await this.http.request({ method: 'DELETE', path: `/v1/me/push-subscriptions/${seg(subscriptionId)}` });
  }

  // --- channels ---
  listChannels(query: ListChannelsQueryParams = {}): Promise<ChannelListItem[]> {
    return this.http.request({ method: 'GET', path: '/v1/channels', query: { ...query } });
  }
  /** 201 with a new channel; the existing DM when one with the same members exists. */
  createChannel(body: CreateChannelBody): Promise<ChannelView> {
    return this.http.request({ method: 'POST', path: '/v1/channels', body });
  }
  channel(channelId: string): Promise<ChannelView> {
    return this.http.request({ method: 'GET', path: `/v1/channels/${seg(channelId)}` });
  }
  members(channelId: string): Promise<ChannelMemberView[]> {
    return this.http.request({ method: 'GET', path: `/v1/channels/${seg(channelId)}/members` });
  }
  addMember(channelId: string, body: AddMemberBody): Promise<ChannelView> {
    return this.http.request({ method: 'POST', path: `/v1/channels/${seg(channelId)}/members`, body });
  }
  removeMember(channelId: string, userId: string, query: RemoveMemberQueryParams = {}): Promise<ChannelView> {
    return this.http.request({ method: 'DELETE', path: `/v1/channels/${seg(channelId)}/members/${seg(userId)}`, query: { ...query } });
  }
  leave(channelId: string): Promise<{ left: true }> {
    return this.http.request({ method: 'POST', path: `/v1/channels/${seg(channelId)}/leave` });
  }
  archive(channelId: string): Promise<ChannelView> {
    return this.http.request({ method: 'POST', path: `/v1/channels/${seg(channelId)}/archive` });
  }
  unarchive(channelId: string): Promise<ChannelView> {
    return this.http.request({ method: 'POST', path: `/v1/channels/${seg(channelId)}/unarchive` });
  }
  activate(patientId: string, type: ActivatableChannelType): Promise<ChannelView> {
    return this.http.request({ method: 'POST', path: `/v1/patients/${seg(patientId)}/channels/${seg(type)}/activate` });
  }
  /** Moves my read marker forward (never back). */
  markRead(channelId: string, seq: number): Promise<MarkReadResult> {
    return this.http.request({ method: 'POST', path: `/v1/channels/${seg(channelId)}/read`, body: { seq } });
  }
  receipts(channelId: string): Promise<ReceiptsResult> {
    return this.http.request({ method: 'GET', path: `/v1/channels/${seg(channelId)}/receipts` });
  }

  // --- messages ---
  listMessages(channelId: string, query: ListMessagesOptions = {}): Promise<MessagePage> {
    const { roots, ...range } = query;
    return this.http.request({ method: 'GET', path: `/v1/channels/${seg(channelId)}/messages`, query: { ...range, ...(roots === undefined ? {} : { roots: String(roots) }) } });
  }
  /** One attempt; MessagingClient.send adds retries and the offline queue. */
  sendMessage(channelId: string, body: SendMessageBody): Promise<MessageView> {
    return this.http.request({ method: 'POST', path: `/v1/channels/${seg(channelId)}/messages`, body });
  }
  listReplies(channelId: string, messageId: string, query: ListRepliesQueryParams = {}): Promise<MessagePage> {
    return this.http.request({ method: 'GET', path: `/v1/channels/${seg(channelId)}/messages/${seg(messageId)}/replies`, query: { ...query } });
  }
  reply(channelId: string, messageId: string, body: ReplyBody): Promise<MessageView> {
    return this.http.request({ method: 'POST', path: `/v1/channels/${seg(channelId)}/messages/${seg(messageId)}/replies`, body });
  }
  editMessage(channelId: string, messageId: string, body: EditMessageBody): Promise<MessageView> {
    return this.http.request({ method: 'PATCH', path: `/v1/channels/${seg(channelId)}/messages/${seg(messageId)}`, body });
  }
  deleteMessage(channelId: string, messageId: string, query: DeleteMessageQueryParams = {}): Promise<MessageView> {
    return this.http.request({ method: 'DELETE', path: `/v1/channels/${seg(channelId)}/messages/${seg(messageId)}`, query: { ...query } });
  }
  /** `emoji`: one emoji, or a name such as like. */
  react(channelId: string, messageId: string, emoji: string): Promise<MessageView> {
    return this.http.request({ method: 'PUT', path: `/v1/channels/${seg(channelId)}/messages/${seg(messageId)}/reactions/${seg(emoji)}` });
  }
  unreact(channelId: string, messageId: string, emoji: string): Promise<MessageView> {
    return this.http.request({ method: 'DELETE', path: `/v1/channels/${seg(channelId)}/messages/${seg(messageId)}/reactions/${seg(emoji)}` });
  }

  // --- media (upload: MessagingClient.uploadMedia, which reports progress) ---
  /** The bytes of a media item (or its thumbnail); `range` e.g. "bytes=0-1023" answers 206. */
  mediaResponse(mediaId: string, opts: { variant?: MediaVariant; range?: string; signal?: AbortSignal } = {}): Promise<Response> {
    const path = `/v1/media/${seg(mediaId)}${opts.variant === 'thumbnail' ? '/thumbnail' : ''}`;
    return this.http.raw({ method: 'GET', path, signal: opts.signal, ...(opts.range ? { headers: { range: opts.range } } : {}) });
  }

  // --- admin ---
  activationRule(type: ActivatableChannelType): Promise<ActivationRuleView> {
    return this.http.request({ method: 'GET', path: `/v1/admin/activation-rules/${seg(type)}` });
  }
  putActivationRule(type: ActivatableChannelType, body: ActivationRuleBody): Promise<ActivationRuleView> {
    return this.http.request({ method: 'PUT', path: `/v1/admin/activation-rules/${seg(type)}`, body });
  }
  activationRuleHistory(type: ActivatableChannelType, query: ActivationRuleHistoryQueryParams = {}): Promise<ActivationRuleChangeView[]> {
    return this.http.request({ method: 'GET', path: `/v1/admin/activation-rules/${seg(type)}/history`, query: { ...query } });
  }
  pendingStaffing(query: PendingStaffingQueryParams = {}): Promise<PendingStaffingView[]> {
    return this.http.request({ method: 'GET', path: '/v1/admin/activation-rules/pending', query: { ...query } });
  }
  audit(query: AuditQueryParams = {}): Promise<AuditPage> {
    return this.http.request({ method: 'GET', path: '/v1/admin/audit', query: { ...query } });
  }
  channelsNeedingStaff(): Promise<ChannelView[]> {
    return this.http.request({ method: 'GET', path: '/v1/admin/channels/needs-staffing' });
  }
}
