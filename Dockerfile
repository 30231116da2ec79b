# DTTools server node. In production set DATABASE_URL (and, for several nodes, REDIS_URL);
# without it the node starts an embedded PostgreSQL under /data (single-node trials only).
FROM python:3.11-slim

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    DTTOOLS_HOST=0.0.0.0 \
    DTTOOLS_PORT=8000 \
    DTTOOLS_DATA_DIR=/data \
    DTTOOLS_LOG_FORMAT=json

# pango draws the PDF exports (WeasyPrint); the fonts themselves ship with the code.
RUN apt-get update \
    && apt-get install -y --no-install-recommends libpango-1.0-0 libpangoft2-1.0-0 \
       libharfbuzz-subset0 \
    && rm -rf /var/lib/apt/lists/*

WORKDIR /app
COPY pyproject.toml README.md ./
COPY collab ./collab
COPY persistence ./persistence
COPY rooms ./rooms
COPY http_api ./http_api
COPY static ./static
RUN pip install --no-cache-dir . \
    && useradd --system --uid 10001 --home-dir /data dttools \
    && mkdir -p /data && chown dttools /data

USER dttools
EXPOSE 8000
VOLUME ["/data"]
HEALTHCHECK --interval=10s --timeout=3s CMD python -c "import urllib.request,sys; sys.exit(0 if urllib.request.urlopen('http://127.0.0.1:8000/healthz').status == 200 else 1)"
CMD ["dttools", "serve"]
