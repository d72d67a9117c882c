#!/bin/sh
# The production HTTP server command, in one place: the Dockerfile, the Kubernetes web
# Deployment, `make stack` and the shutdown test all start the server through this script.
# Settings come from the environment (SERVER_BIND, SERVER_WORKERS, SERVER_THREADS; see
# config/serve.py). PYTHON names the interpreter (default: python on PATH, as in the image).
exec "${PYTHON:-python}" -m config.serve "$@"
