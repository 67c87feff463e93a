-- Why: tenants' PDFs and the passages retrieval searches. Chunks carry customer_id
-- themselves so retrieval filters (and row-level security checks) without a join, and
-- a generated tsvector in the tenant's language for full-text search beside pgvector.

create table public.documents (
  id uuid primary key default gen_random_uuid(),
  customer_id uuid not null references public.customers (id) on delete cascade,
  filename text not null check (length(filename) between 1 and 255),
  storage_path text,
  content_type text not null default 'application/pdf',
  size_bytes bigint not null default 0 check (size_bytes >= 0),
  sha256 text,
  status text not null default 'pending' check (status in ('pending', 'processing', 'processed', 'failed')),
  page_count integer,
  chunk_count integer not null default 0,
  pages_done integer not null default 0,
  pages_total integer,
  error text,
  warnings jsonb not null default '[]'::jsonb,
  upload_date timestamptz not null default now(),
  updated_at timestamptz not null default now()
);
create index documents_customer_upload on public.documents (customer_id, upload_date desc, id);
create index documents_customer_sha on public.documents (customer_id, sha256);
create index documents_customer_filename on public.documents (customer_id, filename);
create trigger documents_touch before update on public.documents
  for each row execute function private.touch_updated_at();

create table public.document_chunks (
  id uuid primary key default gen_random_uuid(),
  customer_id uuid not null references public.customers (id) on delete cascade,
  document_id uuid not null references public.documents (id) on delete cascade,
  chunk_index integer not null,
  page_start integer not null check (page_start >= 1),
  page_end integer not null check (page_end >= page_start),
  content text not null,
  token_count integer not null default 0,
  embedding vector(1536),
  -- Text search configuration of the tenant's language ('french', 'english', 'simple'…).
  fts_config regconfig not null default 'simple',
  fts tsvector generated always as (to_tsvector(fts_config, content)) stored,
  created_at timestamptz not null default now(),
  unique (document_id, chunk_index)
);
create index document_chunks_customer on public.document_chunks (customer_id);
create index document_chunks_fts on public.document_chunks using gin (fts);
create index document_chunks_embedding on public.document_chunks
  using hnsw (embedding vector_cosine_ops);
