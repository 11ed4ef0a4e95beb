"""`make scale-test`: the product on several web and worker processes, a PostgreSQL primary and its streaming
replica and Redis, loaded at a fixed rate and broken on purpose, then checked for lost or doubled work
(docs/performance.md, "Scale and faults")."""
