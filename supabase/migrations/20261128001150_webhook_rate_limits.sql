-- Why: the ManyChat webhook gets rate limits per tenant and per WhatsApp subscriber that
-- hold across processes and instances (issue 7). The acknowledgement is one database
-- round trip (benchmarked: docs/benchmarks.md), so the checks run inside the statement
-- that accepts the message rather than in a second one.
--
-- * Per subscriber: the inbound messages of that subscriber in the last 60 seconds,
--   counted under the per-subscriber advisory lock the function already takes (exact;
--   at most `limit` index entries of messages_customer_subscriber are read).
-- * Per tenant: fixed one-minute windows in counters sharded by backend, so concurrent
--   deliveries to one tenant do not queue on one row lock until commit; the check sums
--   the tenant's shards (at most 16 rows).
--
-- A delivery over a limit is still stored, never lost: the message is recorded and its
-- answer job is due when the window has room again. The caller answers 429 with
-- Retry-After; a retry of the same delivery is deduplicated as before and acknowledged.

create table private.webhook_rate_counters (
  customer_id uuid not null references public.customers (id) on delete cascade,
  shard smallint not null,
  window_start timestamptz not null,
  count integer not null,
  primary key (customer_id, shard)
);
alter table private.webhook_rate_counters enable row level security;
alter table private.webhook_rate_counters force row level security;
grant select, insert, update, delete on private.webhook_rate_counters to service_role;

drop function private.accept_inbound_message(text, text, text, text, text, text);

create function private.accept_inbound_message(
  p_secret_hash text,
  p_subscriber_id text,
  p_text text,
  p_phone text,
  p_name text,
  p_idempotency_key text,
  p_tenant_limit integer default null,
  p_subscriber_limit integer default null
)
returns table (
  customer_id uuid, customer_status text, message_id uuid, ack_text text, duplicate boolean,
  answer_at timestamptz, job_id uuid, limited_by text, retry_after integer
)
language plpgsql
security definer
set search_path = public, pg_temp
as $$
declare
  c record;
  existing uuid;
  new_message uuid;
  new_job uuid;
  burst integer;
  ack text;
  win timestamptz;
  tenant_count bigint;
  nth timestamptz;
  limited text;
  wait integer := 0;
begin
  select cu.id, cu.status, cu.settings into c from customers cu where cu.webhook_secret_hash = p_secret_hash;
  if not found then
    return;
  end if;
  ack := coalesce(nullif(c.settings ->> 'ack_text', ''), 'OK, bien reçu');
  if c.status <> 'active' then
    return query select c.id, c.status, null::uuid, ack, false, null::timestamptz, null::uuid, null::text, null::integer;
    return;
  end if;
  perform pg_advisory_xact_lock(hashtextextended(c.id::text || ':' || p_subscriber_id, 0));
  if p_idempotency_key is not null then
    select m.id into existing from messages m
    where m.customer_id = c.id and m.idempotency_key = p_idempotency_key;
  else
    select m.id into existing from messages m
    where m.customer_id = c.id and m.subscriber_id = p_subscriber_id and m.direction = 'inbound'
      and m.content = p_text and m.created_at > now() - interval '60 seconds'
    order by m.created_at desc limit 1;
  end if;
  if existing is not null then
    return query select c.id, c.status, existing, ack, true, null::timestamptz, null::uuid, null::text, null::integer;
    return;
  end if;

  if p_tenant_limit is not null then
    win := date_trunc('minute', now());
    insert into private.webhook_rate_counters as w (customer_id, shard, window_start, count)
    values (c.id, (pg_backend_pid() % 16)::smallint, win, 1)
    on conflict on constraint webhook_rate_counters_pkey do update set
      count = case when w.window_start = excluded.window_start then w.count + 1 else 1 end,
      window_start = excluded.window_start;
    select coalesce(sum(w.count), 0) into tenant_count
    from private.webhook_rate_counters w
    where w.customer_id = c.id and w.window_start = win;
    if tenant_count > p_tenant_limit then
      limited := 'tenant';
      wait := greatest(1, ceil(extract(epoch from (win + interval '1 minute' - now())))::integer);
    end if;
  end if;
  if limited is null and p_subscriber_limit is not null then
    select m.created_at into nth from messages m
    where m.customer_id = c.id and m.subscriber_id = p_subscriber_id and m.direction = 'inbound'
      and m.created_at > now() - interval '60 seconds'
    order by m.created_at desc
    offset greatest(p_subscriber_limit - 1, 0) limit 1;
    if nth is not null then
      limited := 'subscriber';
      wait := greatest(1, ceil(extract(epoch from (nth + interval '60 seconds' - now())))::integer);
    end if;
  end if;

  burst := least(greatest(coalesce((c.settings ->> 'burst_window_seconds')::integer, 3), 0), 30);
  insert into messages (customer_id, subscriber_id, user_phone, subscriber_name, direction, content, status, channel, idempotency_key)
  values (c.id, p_subscriber_id, p_phone, p_name, 'inbound', p_text, 'pending', 'whatsapp', p_idempotency_key)
  returning id into new_message;
  insert into jobs (customer_id, kind, payload, run_at, max_attempts)
  values (c.id, 'answer_message',
          jsonb_build_object('message_id', new_message, 'subscriber_id', p_subscriber_id),
          now() + make_interval(secs => greatest(burst, wait)), 5)
  returning id into new_job;
  return query select c.id, c.status, new_message, ack, false, now() + make_interval(secs => greatest(burst, wait)),
    new_job, limited, case when limited is null then null else wait end;
end
$$;

revoke all on function private.accept_inbound_message(text, text, text, text, text, text, integer, integer) from public;
grant execute on function private.accept_inbound_message(text, text, text, text, text, text, integer, integer) to service_role;

-- As before: owned by service_role (BYPASSRLS) where the migrating role may hand it over.
do $$
begin
  alter function private.accept_inbound_message(text, text, text, text, text, text, integer, integer) owner to service_role;
  alter table private.webhook_rate_counters owner to service_role;
exception when others then
  raise notice 'accept_inbound_message stays owned by %: %', current_user, sqlerrm;
end
$$;
