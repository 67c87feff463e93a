-- Why: GDPR deletion. DELETE /customers/me makes a workspace unreachable at once
-- (status 'pending_deletion'); after the grace period (30 days by default,
-- DELETION_GRACE_SECONDS) a purge job deletes the customers row, and every table's rows
-- go with it by cascade. The audit trail was `on delete set null`, which would keep the
-- tenant's entries (with its users' IP addresses and user agents) forever, anonymous but
-- not erased. Cascading removes them with the tenant. The trail stays append-only for
-- every role: the rows disappear only as a referential action of the tenant's deletion,
-- which runs as the table owner.
alter table public.audit_logs drop constraint if exists audit_logs_customer_id_fkey;
alter table public.audit_logs
  add constraint audit_logs_customer_id_fkey
  foreign key (customer_id) references public.customers (id) on delete cascade;

-- The purge job finds deleted workspaces by the time their deletion was asked for.
create index if not exists customers_pending_deletion on public.customers (deletion_requested_at)
  where status = 'pending_deletion';
