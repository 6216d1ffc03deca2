import { useEffect, useState } from 'react';
import { isMessagingApiError, type ChannelView, type MessagingClient, type MeView } from '@wellifiy/messaging-client';
import type { ActivatableChannelType, ActivationRuleView, PendingStaffingView } from '@wellifiy/contracts';
import { can, personLabel, type People } from './people';

const errorText = (err: unknown): string => (isMessagingApiError(err) ? `${err.message} (${err.status})` : String(err));

function RuleForm({ client, type, people, me }: { client: MessagingClient; type: ActivatableChannelType; people: People; me: MeView }) {
  const [rule, setRule] = useState<ActivationRuleView | null>(null);
  const [ids, setIds] = useState('');
  const [status, setStatus] = useState<string | null>(null);
  useEffect(() => {
    client.rest.activationRule(type).then(
      (r) => {
        setRule(r);
        setIds(r.teamMemberIds.join(', '));
      },
      (e: unknown) => setStatus(errorText(e)),
    );
  }, [client, type]);
  if (!rule) return <p role="status">{status ?? 'Loading…'}</p>;
  const save = async (e: React.FormEvent) => {
    e.preventDefault();
    try {
      const teamMemberIds = ids.split(',').map((s) => s.trim()).filter(Boolean);
      setRule(await client.rest.putActivationRule(type, { autoActivate: rule.autoActivate, teamMemberIds }));
      setStatus('Saved.');
    } catch (err) {
      setStatus(errorText(err));
    }
  };
  return (
    <form onSubmit={(e) => void save(e)} className="stack" aria-label={`${type === 'care_team' ? 'Care team' : 'Service team'} activation rule`}>
      <h3>{type === 'care_team' ? 'Care team' : 'Service team'}</h3>
      <label>
        <input type="checkbox" checked={rule.autoActivate} onChange={(e) => setRule({ ...rule, autoActivate: e.target.checked })} /> Activate automatically for new patients
      </label>
      <label>
        Assigned team members (user ids, comma separated)
        <input value={ids} onChange={(e) => setIds(e.target.value)} />
      </label>
      <p className="muted">{rule.teamMemberIds.map((id) => personLabel(people, id, me)).join(', ') || 'none'}</p>
      <button type="submit">Save</button>
      {status && <p role="status">{status}</p>}
    </form>
  );
}

/** Portal Settings → Message Centre Activation Rules (settings:manage), and what needs staffing (messaging:manage). */
export function AdminPages({ client, me, people }: { client: MessagingClient; me: MeView; people: People }) {
  const [pending, setPending] = useState<PendingStaffingView[]>([]);
  const [needing, setNeeding] = useState<ChannelView[]>([]);
  const [error, setError] = useState<string | null>(null);
  useEffect(() => {
    if (can(me, 'settings:manage')) client.rest.pendingStaffing().then(setPending, (e: unknown) => setError(errorText(e)));
    if (can(me, 'messaging:manage')) client.rest.channelsNeedingStaff().then(setNeeding, (e: unknown) => setError(errorText(e)));
  }, [client, me]);
  const activate = async (p: PendingStaffingView) => {
    try {
      await client.rest.activate(p.patientId, p.type);
      setPending((l) => l.filter((x) => x !== p));
    } catch (err) {
      setError(errorText(err));
    }
  };
  return (
    <main className="page">
      {can(me, 'settings:manage') && (
        <section aria-labelledby="rules-h">
          <h2 id="rules-h">Message Centre activation rules</h2>
          <RuleForm client={client} type="care_team" people={people} me={me} />
          <RuleForm client={client} type="service_team" people={people} me={me} />
          <h3>Patients waiting for activation</h3>
          {pending.length === 0 ? (
            <p className="muted">None.</p>
          ) : (
            <ul>
              {pending.map((p) => (
                <li key={`${p.patientId}-${p.type}`}>
                  {personLabel(people, p.patientId, me)} · {p.type}{' '}
                  <button type="button" onClick={() => void activate(p)}>
                    Activate
                  </button>
                </li>
              ))}
            </ul>
          )}
        </section>
      )}
      {can(me, 'messaging:manage') && (
        <section aria-labelledby="staffing-h">
          <h2 id="staffing-h">Channels needing staffing</h2>
          {needing.length === 0 ? (
            <p className="muted">None.</p>
          ) : (
            <ul>
              {needing.map((c) => (
                <li key={c.id}>
                  {c.type} · {c.patientId ? personLabel(people, c.patientId, me) : c.id}
                </li>
              ))}
            </ul>
          )}
        </section>
      )}
      {error && (
        <p role="alert" className="error">
          {error}
        </p>
      )}
    </main>
  );
}
