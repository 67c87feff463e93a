-- Why: every later migration needs pgvector for embeddings, and row-level security
-- policies need one cheap, trusted way to know which tenant the current request acts
-- for. The tenant id comes from the verified claims the application sets with
-- set_config('request.jwt.claims', ..., true) inside each transaction.
create extension if not exists vector;

create schema if not exists private;
grant usage on schema private to anon, authenticated, service_role;

-- The tenant (customer) the current transaction acts for, or null.
create or replace function private.customer_id() returns uuid
language sql stable
as $$
  select nullif(
    (nullif(current_setting('request.jwt.claims', true), '')::jsonb ->> 'customer_id'),
    ''
  )::uuid
$$;

-- Keeps updated_at honest without every query having to remember it.
create or replace function private.touch_updated_at() returns trigger
language plpgsql
as $$
begin
  new.updated_at := now();
  return new;
end
$$;
