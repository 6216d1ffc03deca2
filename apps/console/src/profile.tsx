import { useEffect, useState } from 'react';
import { isMessagingApiError, type ChannelListState, type MessagingClient, type MeView } from '@wellifiy/messaging-client';
import type { EmailFrequency, NotificationSettingsView } from '@wellifiy/contracts';
import { MediaThumb } from './media-thumb';
import { PushDevice } from './push-device';
import { channelTitle, type People } from './people';

const errorText = (err: unknown): string => (isMessagingApiError(err) ? `${err.message} (${err.status})` : String(err));

/** My profile (patients: display name and avatar) and my notification settings. */
export function Profile(props: { client: MessagingClient; me: MeView; onChanged: (me: MeView) => void; channels: ChannelListState; people: People }) {
  const { client, me, onChanged, channels, people } = props;
  const [displayName, setDisplayName] = useState(me.displayName ?? '');
  const [settings, setSettings] = useState<NotificationSettingsView | null>(null);
  const [status, setStatus] = useState<string | null>(null);
  useEffect(() => {
    client.rest.notificationSettings().then(setSettings, (e: unknown) => setStatus(errorText(e)));
  }, [client]);
  const run = async (fn: () => Promise<void>, done: string) => {
    setStatus(null);
    try {
      await fn();
      setStatus(done);
    } catch (err) {
      setStatus(errorText(err));
    }
  };
  const patient = me.kind === 'patient';
  return (
    <main className="page">
      {patient && (
        <section aria-labelledby="profile-h">
          <h2 id="profile-h">Profile</h2>
          <form
            className="stack"
            onSubmit={(e) => {
              e.preventDefault();
              void run(async () => onChanged(await client.rest.updateProfile({ displayName: displayName.trim() || null })), 'Profile saved.');
            }}
          >
            <label>
              Display name (what other patients see)
              <input value={displayName} onChange={(e) => setDisplayName(e.target.value)} maxLength={80} />
            </label>
            <button type="submit">Save</button>
          </form>
          <div className="avatar">
            {me.avatarMediaId ? <MediaThumb client={client} mediaId={me.avatarMediaId} /> : <span className="muted">No avatar</span>}
            <label>
              Avatar image
              <input
                type="file"
                accept="image/jpeg,image/png,image/webp,image/gif"
                onChange={(e) => {
                  const file = e.target.files?.[0];
                  if (file)
                    void run(async () => {
                      const media = await client.uploadMedia(file, { filename: file.name, contentType: file.type });
                      onChanged(await client.rest.updateProfile({ avatarMediaId: media.id }));
                    }, 'Avatar saved.');
                }}
              />
            </label>
          </div>
        </section>
      )}
      <section aria-labelledby="notif-h">
        <h2 id="notif-h">Notification settings</h2>
        {settings && (
          <form
            className="stack"
            onSubmit={(e) => {
              e.preventDefault();
              const { emailFrequency, emailDelayMinutes, pushEnabled, mutedChannelIds } = settings;
              void run(async () => setSettings(await client.rest.putNotificationSettings({ emailFrequency, emailDelayMinutes, pushEnabled, mutedChannelIds })), 'Settings saved.');
            }}
          >
            <label>
              Email about unread messages
              <select value={settings.emailFrequency} onChange={(e) => setSettings({ ...settings, emailFrequency: e.target.value as EmailFrequency })}>
                <option value="off">Off</option>
                <option value="after_delay">After a delay</option>
                <option value="daily">Daily</option>
              </select>
            </label>
            {settings.emailFrequency === 'after_delay' && (
              <label>
                Delay (minutes)
                <input type="number" min={1} max={1440} value={settings.emailDelayMinutes} onChange={(e) => setSettings({ ...settings, emailDelayMinutes: Number(e.target.value) })} />
              </label>
            )}
            <label>
              <input type="checkbox" checked={settings.pushEnabled} onChange={(e) => setSettings({ ...settings, pushEnabled: e.target.checked })} /> Push notifications
            </label>
            <fieldset>
              <legend>Muted channels</legend>
              {Object.values(channels.channels).map((c) => (
                <label key={c.id}>
                  <input
                    type="checkbox"
                    checked={settings.mutedChannelIds.includes(c.id)}
                    onChange={(e) =>
                      setSettings({ ...settings, mutedChannelIds: e.target.checked ? [...settings.mutedChannelIds, c.id] : settings.mutedChannelIds.filter((id) => id !== c.id) })
                    }
                  />{' '}
                  {channelTitle(c, people, me)}
                </label>
              ))}
            </fieldset>
            <button type="submit">Save settings</button>
          </form>
        )}
        {status && <p role="status">{status}</p>}
      </section>
      {/* The server registers devices of patients only: team members are reached in the Clinical Portal. */}
      {patient && <PushDevice client={client} />}
    </main>
  );
}
