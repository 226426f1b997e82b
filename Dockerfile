# hubdemo in a container (docs/deployment.md):
#   docker build -t hubdemo .
#   docker run -p 7860:7860 -e HF_TOKEN hubdemo google/vit-base-patch16-224
# compose.yaml runs two of these behind nginx, sharing Redis.
FROM python:3.12-slim

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1 \
    HUBDEMO_HOST=0.0.0.0 \
    HUBDEMO_PORT=7860 \
    HF_HOME=/home/hubdemo/.cache/huggingface

WORKDIR /app
COPY pyproject.toml README.md ./
COPY hubdemo ./hubdemo
COPY templates ./templates
RUN pip install --no-cache-dir . \
    && groupadd --gid 10001 hubdemo \
    && useradd --create-home --uid 10001 --gid 10001 hubdemo

USER 10001:10001
EXPOSE 7860
HEALTHCHECK --interval=30s --timeout=5s --start-period=60s --retries=3 \
    CMD ["python", "-c", "import os, urllib.request; urllib.request.urlopen('http://127.0.0.1:%s/healthz' % os.environ['HUBDEMO_PORT'], timeout=4)"]
ENTRYPOINT ["hubdemo", "serve"]
CMD ["google/vit-base-patch16-224"]
