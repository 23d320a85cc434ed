"""The store's schema changes, as Alembic revisions (versions/), run by `translator init` and
`translator db upgrade` through `db.create_schema`; docs/migrations.md says how to add one."""
