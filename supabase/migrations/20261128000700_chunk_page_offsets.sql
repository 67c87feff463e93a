-- Why: a passage may span a page break, yet an answer should cite the one page that
-- says it. page_offsets holds, for each page after page_start, the character offset in
-- content where that page's text begins, so the cited page can be found precisely.
alter table public.document_chunks add column page_offsets integer[] not null default '{}';
