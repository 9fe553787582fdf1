-- pgbench script for bench/cosign.py: the reference.
--
-- The statement the server's PostgreSQL path runs to co-sign (`_SIGN_MANY` in
-- participation/mandates/signing.py) for one signer: the mandate still open, the
-- signature inserted ON CONFLICT DO NOTHING, +1 on one of the 16 counter shards, one
-- outbox row. Each transaction signs as the next user of its client, so every
-- signature is another person's (see bench/pgbench.py). The event's name comes in as
-- a variable: pgbench would take `:signature` inside a string literal for one.
--
-- pgbench ... --define=mandate_id=M --define=first_user=U --define=users=C
--             --define=clients=N --define=k=0 --define=event=mandates:signature:created
--             --file=cosign.sql
\set user_id :first_user + (:client_id + :clients * :k) % :users
\set k :k + 1
\set shard random(0, 15)
WITH open AS (
    SELECT id, municipality_id FROM mandate
    WHERE id = :mandate_id AND status IN ('collecting', 'submitted')
      AND (closes_at IS NULL OR closes_at > now())
), added AS (
    INSERT INTO signature (mandate_id, user_id, resident, created_at)
    SELECT o.id, :user_id, false, now() FROM open o
    ON CONFLICT (mandate_id, user_id) DO NOTHING
    RETURNING mandate_id, user_id, resident
), per_mandate AS (
    SELECT mandate_id, count(*) AS n, count(*) FILTER (WHERE resident) AS r
    FROM added GROUP BY mandate_id
), counted AS (
    UPDATE signature_count c SET count = c.count + p.n, resident = c.resident + p.r
    FROM per_mandate p
    WHERE c.mandate_id = p.mandate_id AND c.shard = :shard
), recorded AS (
    INSERT INTO outbox_event
        (name, subject_type, subject_id, municipality_id, actor_id, payload, created_at)
    SELECT :event, 'mandate', a.mandate_id, o.municipality_id, a.user_id,
           jsonb_build_object('mandate_id', a.mandate_id), now()
    FROM added a JOIN open o ON o.id = a.mandate_id
)
SELECT mandate_id, user_id FROM added;
