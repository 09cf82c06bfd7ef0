"""policykg.api: the HTTP service (docs/api.md).

`app.create_app(settings)` builds the FastAPI application; `server.serve(settings)` runs it
with uvicorn (`policykg serve`). The store is only ever touched by the query processes of
`pool.WorkerPool` (`worker.py`), which call the query layer in `policykg.graph` — the HTTP
layer itself holds no SPARQL.
"""
