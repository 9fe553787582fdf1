-- pgbench script for bench/ballots.py: the reference.
--
-- The statement the server's PostgreSQL path runs to cast a ballot (`CAST_ONCE` in
-- participation/votes/casting.py): a shared lock on the open vote, the participation
-- row, the ballot under its slot, one outbox row, in one round trip. What the server
-- computes in Python comes from PostgreSQL here: the ballot's random id, its slot
-- (SHA-256 of the vote's key and the user id, where the server takes an HMAC) and a
-- receipt digest. Each transaction votes as the next user of its client, so every
-- ballot is another person's first (see bench/pgbench.py). The event's name comes in
-- as a variable: pgbench would take `:ballot` inside a string literal for one.
--
-- pgbench ... --define=vote_id=V --define=ballot_key=K --define=choices=[1,2]
--             --define=payload={"vote_id":V} --define=event=votes:ballot:cast
--             --define=first_user=U --define=users=C --define=clients=N --define=k=0
--             --file=ballots.sql
\set user_id :first_user + (:client_id + :clients * :k) % :users
\set k :k + 1
WITH open AS (
    SELECT id, municipality_id FROM vote
    WHERE id = :vote_id AND status = 'open' AND ballot_key = :ballot_key
      AND (closes_at IS NULL OR closes_at > now())
    FOR SHARE
), joined AS (
    INSERT INTO vote_participation (vote_id, user_id, created_at, updated_at)
    SELECT id, :user_id, now(), now() FROM open
    ON CONFLICT (vote_id, user_id) DO UPDATE SET updated_at = excluded.updated_at
    RETURNING (xmax = 0) AS created
), stored AS (
    INSERT INTO vote_ballot (id, vote_id, slot, choices, receipt_digest)
    SELECT gen_random_uuid(), id,
           encode(sha256(convert_to(:ballot_key::text || :user_id::text, 'UTF8')), 'hex'),
           :choices::jsonb, encode(sha256(convert_to(gen_random_uuid()::text, 'UTF8')), 'hex')
    FROM open
    ON CONFLICT (vote_id, slot) DO UPDATE SET
        id = excluded.id, choices = excluded.choices, receipt_digest = excluded.receipt_digest
), recorded AS (
    INSERT INTO outbox_event
        (name, subject_type, subject_id, municipality_id, actor_id, payload, created_at)
    SELECT :event, 'vote', id, municipality_id, NULL, :payload::jsonb, now() FROM open
)
SELECT created FROM joined;
