#!/bin/sh
# pyflyte backfill runs the launch plan's cron strictly between --from-date and --to-date
# (both ends excluded, whatever its --help says).
pyflyte backfill -p <project> -d <domain> --from-date '2023-01-01T00:00:00' --to-date '2023-01-11T00:00:00' --serial <launch_plan>
