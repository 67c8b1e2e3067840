# Neural Explainer: one image for the web processes and the training worker.
#
#   docker build -t neural-explainer .                    # CPU TensorFlow (web and worker)
#   docker build -t neural-explainer --build-arg GPU=1 .  # adds TensorFlow's CUDA libraries (GPU worker)
#   docker run -p 8501:8501 -e STREAMLIT_SERVER_COOKIE_SECRET=... neural-explainer
#   docker run --no-healthcheck neural-explainer python -m core.training.worker
#
# The shipped weights (assets/models/) are baked in; newly trained models go to the model store
# $NEURAL_EXPLAINER_CACHE (/models, a volume shared by the web processes and the worker).
# deploy/README.md runs it with docker compose and on Kubernetes.
#
# It runs with a read-only root filesystem: everything it writes goes to /models (model store, the
# queue's SQLite when there is no Redis, Keras' cache $KERAS_HOME for `make data`'s MNIST and
# ImageNet weights), /tmp (tempfile, TensorFlow, Matplotlib's $MPLCONFIGDIR) or $HOME=/home/app;
# the deployments mount those three writable.
# The base image by tag: pin `python:3.11-slim@sha256:...` to the image you reviewed (deploy/README.md).
FROM python:3.11-slim

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1 \
    TF_CPP_MIN_LOG_LEVEL=2 \
    NEURAL_EXPLAINER_CACHE=/models \
    KERAS_HOME=/models/keras \
    MPLCONFIGDIR=/tmp/matplotlib \
    HOME=/home/app

WORKDIR /app

# The hash-locked versions, on their own layer so code changes reuse it: requirements.lock is
# requirements.txt (what `make run` installs) compiled by pip-tools for Linux x86_64 and CPython
# 3.11, every file with its sha256; pip refuses anything unpinned or with another hash.
# GPU=1: requirements-gpu.lock, the same pins plus TensorFlow's CUDA libraries (tensorflow[and-cuda]);
# only the worker needs them.
ARG GPU=0
COPY requirements.lock requirements-gpu.lock ./
RUN if [ "$GPU" = "1" ]; then lock=requirements-gpu.lock; else lock=requirements.lock; fi \
 && python -m pip install --quiet --require-hashes -r "$lock"

# Non-root user; the code stays root-owned (read-only for the app), the model store is the app's.
RUN groupadd --gid 10001 app \
 && useradd --uid 10001 --gid app --create-home --home-dir /home/app --shell /usr/sbin/nologin app \
 && mkdir -p /models /home/app \
 && chown app:app /models /home/app

COPY . .

USER 10001:10001
EXPOSE 8501
VOLUME ["/models"]

HEALTHCHECK --interval=15s --timeout=5s --start-period=60s --retries=3 \
    CMD ["python", "-c", "import urllib.request; urllib.request.urlopen('http://127.0.0.1:8501/_stcore/health', timeout=4)"]

# Production flags (also in .streamlit/config.toml where they exist). CORS and XSRF protection stay
# on: the proxy keeps the Host header, so the browser's requests are same-origin. Every replica needs
# the same STREAMLIT_SERVER_COOKIE_SECRET (runtime environment, never baked in), or an upload after
# a fail-over to another replica is refused.
CMD ["streamlit", "run", "app.py", \
     "--server.headless=true", \
     "--server.address=0.0.0.0", \
     "--server.port=8501", \
     "--server.enableCORS=true", \
     "--server.enableXsrfProtection=true", \
     "--server.fileWatcherType=none", \
     "--browser.gatherUsageStats=false"]
