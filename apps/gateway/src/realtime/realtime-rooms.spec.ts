import type { Server } from 'socket.io';
import { EventEnvelope, EventName, Events } from '@wellifiy/contracts';
import type { ArchivedMembersStore } from '../auth/archived-members.store';
import { AccessEventsRealtime } from './access-events.realtime';
import { ChannelEventsRealtime } from './channel-events.realtime';
import { MessageEventsRealtime } from './message-events.realtime';
import { NotificationEventsRealtime } from './notification-events.realtime';
import { RealtimeRouter } from './realtime-router';
import { channelRoom, managersRoom, userRoom } from './rooms';

/** Records what the handlers ask of Socket.IO: which rooms are emitted to, joined and left. */
class RecordingServer {
  readonly calls: string[] = [];

  private op(rooms: string[], except: string[] = []) {
    const target = `${rooms.sort().join('|')}${except.length ? ` except ${except.join('|')}` : ''}`;
    return {
      emit: (event: string) => this.calls.push(`emit ${event} → ${target}`),
      socketsJoin: (room: string) => this.calls.push(`join ${target} → ${room}`),
      socketsLeave: (room: string) => this.calls.push(`leave ${target} → ${room}`),
      disconnectSockets: () => this.calls.push(`disconnect ${target}`),
      except: (r: string | string[]) => this.op(rooms, [...except, ...[r].flat()]),
    };
  }

  to(r: string | string[]) {
    return this.op([r].flat());
  }

  in(r: string | string[]) {
    return this.op([r].flat());
  }
}

const snapshot = { id: 'ch_1', type: 'care_team', patientId: 'pt_1', members: [{ userId: 'tm_1', kind: 'team_member' }, { userId: 'pt_1', kind: 'patient' }], needsStaffing: true, version: 2 };

function dispatch(router: RealtimeRouter, type: EventName, orgId: string, data: unknown): string[] {
  const io = new RecordingServer();
  const envelope: EventEnvelope = { id: 'evt_1', type, source: 'test', time: new Date().toISOString(), orgId, data };
  router.handlerFor(type)?.(envelope, io as unknown as Server);
  return io.calls;
}

describe('realtime rooms', () => {
  const router = new RealtimeRouter();
  new ChannelEventsRealtime(router);
  new MessageEventsRealtime(router);
  new NotificationEventsRealtime(router);

  it('room names: the same user or channel id in two organisations names different rooms, and a ":" inside an id cannot make two pairs collide', () => {
    expect(userRoom('org_a', 'tm_1')).not.toBe(userRoom('org_b', 'tm_1'));
    expect(channelRoom('org_a', 'ch_1')).not.toBe(channelRoom('org_b', 'ch_1'));
    expect(userRoom('org:a', 'b')).not.toBe(userRoom('org', 'a:b'));
    expect(managersRoom('org:a')).not.toBe(managersRoom('org'));
  });

  it.each([
    [Events.ChannelCreated, { channel: snapshot, actorId: 'tm_1' }],
    [Events.ChannelUpdated, { channel: snapshot, actorId: 'tm_1' }],
    [Events.ChannelMemberAdded, { channel: snapshot, userId: 'tm_2', userKind: 'team_member', actorId: 'tm_1' }],
    [Events.ChannelMemberRemoved, { channel: snapshot, userId: 'tm_2', actorId: 'tm_1' }],
    [Events.ChannelArchived, { channelId: 'ch_1', userId: 'pt_1' }],
    [Events.MessageCreated, { message: { id: 'msg_1', channelId: 'ch_1', seq: 1 } }],
    [Events.MessageUpdated, { message: { id: 'msg_1', channelId: 'ch_1', seq: 1 } }],
    [Events.MessageDeleted, { channelId: 'ch_1', messageId: 'msg_1', seq: 1, senderId: 'tm_1', actorId: 'tm_1' }],
    [Events.ReactionUpdated, { channelId: 'ch_1', messageId: 'msg_1', seq: 1, userId: 'pt_1', emoji: 'like', reacted: true, reactions: [] }],
    [Events.BadgeUpdated, { badges: [{ userId: 'pt_1', total: 1, channelId: 'ch_1', unread: 1 }] }],
    [Events.ReceiptUpdated, { channelId: 'ch_1', userId: 'pt_1', userKind: 'patient', readSeq: 1, readAt: new Date().toISOString(), visibleTo: null }],
    [Events.ReceiptUpdated, { channelId: 'ch_1', userId: 'pt_1', userKind: 'patient', readSeq: 1, readAt: new Date().toISOString(), visibleTo: ['tm_1'] }],
    [Events.TypingStarted, { channelId: 'ch_1', userId: 'tm_1' }],
  ] as [EventName, unknown][])('item 1: %s touches only rooms of the event\'s organisation', (type, data) => {
    const calls = dispatch(router, type, 'org_a', data);
    expect(calls.length).toBeGreaterThan(0);
    const rooms = calls.flatMap((c) => c.match(/(user|channel|managers):[^\s|]+/g) ?? []);
    expect(rooms.length).toBeGreaterThan(0);
    expect(rooms.filter((r) => !r.includes(':org_a'))).toEqual([]);
  });

  it('item 1: channel.created joins the members of that organisation only', () => {
    expect(dispatch(router, Events.ChannelCreated, 'org_a', { channel: snapshot, actorId: 'tm_1' })).toEqual([
      `join ${userRoom('org_a', 'tm_1')} → ${channelRoom('org_a', 'ch_1')}`,
      `join ${userRoom('org_a', 'pt_1')} → ${channelRoom('org_a', 'ch_1')}`,
      `emit channel.created → ${channelRoom('org_a', 'ch_1')}`,
    ]);
  });

  it('item 2: team-member.archived records the archive first, then disconnects that organisation\'s user only', async () => {
    const archiveRouter = new RealtimeRouter();
    const recorded: string[] = [];
    const io = new RecordingServer();
    const store = { markArchived: async (orgId: string, userId: string) => void recorded.push(`${orgId}/${userId} (sockets: ${io.calls.length})`) };
    new AccessEventsRealtime(archiveRouter, store as unknown as ArchivedMembersStore);
    const envelope: EventEnvelope = { id: 'evt_2', type: Events.TeamMemberArchived, source: 'staff-directory', time: new Date().toISOString(), orgId: 'org_a', data: { teamMemberId: 'tm_1' } };
    archiveRouter.handlerFor(Events.TeamMemberArchived)?.(envelope, io as unknown as Server);
    await new Promise((r) => setImmediate(r));
    expect(recorded).toEqual(['org_a/tm_1 (sockets: 0)']);
    expect(io.calls).toEqual([`emit error → ${userRoom('org_a', 'tm_1')}`, `disconnect ${userRoom('org_a', 'tm_1')}`]);
  });
});
