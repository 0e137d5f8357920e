#!/bin/sh
# pyflyte backfill runs the launch plan's cron strictly between --from-date and --to-date
# (both ends excluded, whatever its --help says).
pyflyte backfill -p <project> -d <domain> --from-date '2021-04-30 23:59:59' --to-date '2021-05-07 00:00:01' --serial <launch_plan>
