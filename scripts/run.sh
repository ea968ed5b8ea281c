#!/usr/bin/env bash
# Command 1: install and run the dashboard on the bundled data (builds data/build/ if missing).
source "$(dirname "$0")/_venv.sh"
install_reqs requirements.txt
exec .venv/bin/python -m dashboard
