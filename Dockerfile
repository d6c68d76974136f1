# The console's image, built by `gcloud run deploy console --source=.` (docs/deploy.md). The
# scheduled syncs run in the same image as Cloud Run jobs (`python -m cli sync …`), so the
# syncs and the console always run the same code. tests/integration/test_deploy_recipe.py
# starts the CMD below exactly as written.
FROM python:3.11-slim

ENV PYTHONUNBUFFERED=1 \
    PYTHONDONTWRITEBYTECODE=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1 \
    SECRETS_FILE=/secrets/secrets.toml

WORKDIR /app
COPY requirements.txt .
RUN pip install -r requirements.txt
COPY . .
RUN useradd --create-home --uid 10001 console
USER console

# Cloud Run sets PORT. 0.0.0.0 explicitly: the container must answer on every interface, and
# must not inherit the address meant for local runs (127.0.0.1). SECRETS_FILE is where Cloud Run
# mounts the console's secrets file (the [auth] section) from Secret Manager.
CMD ["sh", "-c", "exec streamlit run app.py --server.port=\"$PORT\" --server.address=0.0.0.0 --server.headless=true --secrets.files=\"$SECRETS_FILE\""]
