"""The PostgreSQL backend: the same ports as storage/sqlite, for several processes on one
database (psycopg 3, async, with psycopg_pool)."""
