#!/bin/sh
# pyflyte backfill runs the launch plan's cron strictly between --from-date and --to-date
# (both ends excluded, whatever its --help says).
pyflyte backfill -p <project> -d <domain> --from-date '2024-03-28 06:29:59+00:00' --to-date '2024-03-28 11:30:01+00:00' --serial <launch_plan>
