import { useState } from 'react';
import { isMessagingApiError, type MessagingClient, type MeView } from '@wellifiy/messaging-client';
import type { CreateChannelBody } from '@wellifiy/contracts';
import { can, personLabel, type People } from './people';

type Creatable = CreateChannelBody['type'];

/** Create a group (messaging:manage), a DM, or a staff channel about a patient. */
export function NewChannel({ client, me, people, onCreated }: { client: MessagingClient; me: MeView; people: People; onCreated: (id: string) => void }) {
  const types: { type: Creatable; label: string; show: boolean }[] = [
    { type: 'dm', label: 'Direct message', show: true },
    { type: 'staff', label: 'Staff channel (about a patient)', show: true },
    { type: 'group', label: 'Group', show: can(me, 'messaging:manage') },
  ];
  const [type, setType] = useState<Creatable>('dm');
  const [name, setName] = useState('');
  const [patientId, setPatientId] = useState('');
  const [memberIds, setMemberIds] = useState<string[]>([]);
  const [error, setError] = useState<string | null>(null);
  const others = [...people.values()].filter((p) => p.userId !== me.userId && (type === 'group' || p.kind === 'team_member'));
  const patients = [...people.values()].filter((p) => p.kind === 'patient');

  const submit = async (e: React.FormEvent) => {
    e.preventDefault();
    setError(null);
    try {
      const body: CreateChannelBody = { type, memberIds, ...(type !== 'dm' && name ? { name } : {}), ...(type === 'staff' ? { patientId } : {}) };
      onCreated((await client.rest.createChannel(body)).id);
    } catch (err) {
      setError(isMessagingApiError(err) ? `${err.message} (${err.status})` : String(err));
    }
  };

  return (
    <main className="page">
      <h2>New channel</h2>
      <form onSubmit={(e) => void submit(e)} className="stack">
        <fieldset>
          <legend>Type</legend>
          {types
            .filter((t) => t.show)
            .map((t) => (
              <label key={t.type}>
                <input type="radio" name="type" value={t.type} checked={type === t.type} onChange={() => setType(t.type)} /> {t.label}
              </label>
            ))}
        </fieldset>
        {type !== 'dm' && (
          <label>
            Name{type === 'group' ? '' : ' (optional)'}
            <input value={name} onChange={(e) => setName(e.target.value)} required={type === 'group'} maxLength={200} />
          </label>
        )}
        {type === 'staff' && (
          <label>
            Patient
            <select value={patientId} onChange={(e) => setPatientId(e.target.value)} required>
              <option value="">Choose a patient</option>
              {patients.map((p) => (
                <option key={p.userId} value={p.userId}>
                  {personLabel(people, p.userId, me)}
                </option>
              ))}
            </select>
          </label>
        )}
        <fieldset>
          <legend>Members</legend>
          {others.length === 0 && <p className="muted">Nobody else known yet.</p>}
          {others.map((p) => (
            <label key={p.userId}>
              <input
                type="checkbox"
                checked={memberIds.includes(p.userId)}
                onChange={(e) => setMemberIds((ids) => (e.target.checked ? [...ids, p.userId] : ids.filter((i) => i !== p.userId)))}
              />{' '}
              {personLabel(people, p.userId, me)}
            </label>
          ))}
        </fieldset>
        <button type="submit">Create</button>
        {error && (
          <p role="alert" className="error">
            {error}
          </p>
        )}
      </form>
    </main>
  );
}
