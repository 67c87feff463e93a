-- Why: row-level security is the isolation boundary between tenants, not WHERE
-- clauses. Every tenant table has RLS enabled and forced, with one policy per
-- operation comparing customer_id with the tenant in the verified claims. A query
-- that forgets its filter still sees only the caller's rows. service_role (used only
-- by migrations, job claiming and audited admin reads) bypasses RLS.

grant usage on schema public to anon, authenticated, service_role;
grant select, insert, update, delete on all tables in schema public to service_role;

-- Plans are public knowledge to signed-in tenants; only staff change them.
alter table public.subscriptions enable row level security;
alter table public.subscriptions force row level security;
grant select on public.subscriptions to authenticated;
create policy subscriptions_select on public.subscriptions for select to authenticated using (true);

alter table public.customers enable row level security;
alter table public.customers force row level security;
grant select on public.customers to authenticated;
-- Tenants may change their own profile and secrets, never their plan, status or billing ids.
grant update (name, manychat_api_key_encrypted, manychat_key_last4, manychat_page_name, webhook_url, settings,
  webhook_secret_hash, webhook_secret_encrypted) on public.customers to authenticated;
create policy customers_select on public.customers for select to authenticated
  using (id = (select private.customer_id()));
create policy customers_update on public.customers for update to authenticated
  using (id = (select private.customer_id()))
  with check (id = (select private.customer_id()));

alter table public.users enable row level security;
alter table public.users force row level security;
grant select on public.users to authenticated;
grant update (email) on public.users to authenticated;
create policy users_select on public.users for select to authenticated
  using (id = (select auth.uid()) or customer_id = (select private.customer_id()));
create policy users_update on public.users for update to authenticated
  using (id = (select auth.uid()))
  with check (id = (select auth.uid()));

alter table public.sessions enable row level security;
alter table public.sessions force row level security;
grant select on public.sessions to authenticated;
create policy sessions_select on public.sessions for select to authenticated
  using (user_id = (select auth.uid()));

-- The tables a tenant owns outright: full CRUD on its own rows, nothing else.
do $$
declare
  t text;
begin
  foreach t in array array['documents', 'document_chunks', 'messages', 'jobs'] loop
    execute format('alter table public.%I enable row level security', t);
    execute format('alter table public.%I force row level security', t);
    execute format('grant select, insert, update, delete on public.%I to authenticated', t);
    execute format(
      'create policy %I on public.%I for select to authenticated using (customer_id = (select private.customer_id()))',
      t || '_select', t);
    execute format(
      'create policy %I on public.%I for insert to authenticated with check (customer_id = (select private.customer_id()))',
      t || '_insert', t);
    execute format(
      'create policy %I on public.%I for update to authenticated using (customer_id = (select private.customer_id())) with check (customer_id = (select private.customer_id()))',
      t || '_update', t);
    execute format(
      'create policy %I on public.%I for delete to authenticated using (customer_id = (select private.customer_id()))',
      t || '_delete', t);
  end loop;
end
$$;

-- Invoices are written by the billing jobs; tenants only read theirs.
alter table public.billing_records enable row level security;
alter table public.billing_records force row level security;
grant select on public.billing_records to authenticated;
create policy billing_records_select on public.billing_records for select to authenticated
  using (customer_id = (select private.customer_id()));

-- The audit trail is append-only: no role is granted update or delete.
alter table public.audit_logs enable row level security;
alter table public.audit_logs force row level security;
revoke update, delete, truncate on public.audit_logs from service_role;
grant select, insert on public.audit_logs to authenticated;
create policy audit_logs_select on public.audit_logs for select to authenticated
  using (customer_id = (select private.customer_id()));
create policy audit_logs_insert on public.audit_logs for insert to authenticated
  with check (customer_id = (select private.customer_id()));

-- Rate-limit counters are internal: no policy, so tenants see nothing.
alter table public.rate_limits enable row level security;
alter table public.rate_limits force row level security;
