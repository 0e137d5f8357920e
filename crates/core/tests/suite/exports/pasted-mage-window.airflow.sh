#!/bin/sh
# An Airflow 3 backfill of 3 runs, logical dates 2023-01-01T03:00:00+00:00 to 2023-01-05T03:00:00+00:00 (UTC),
# as Backfill Planner previewed it. Set AIRFLOW_URL (e.g. http://127.0.0.1:8080) and
# AIRFLOW_TOKEN (from POST $AIRFLOW_URL/auth/token). The dry run must list exactly the planned
# logical dates before the backfill is created.
set -eu
body=$(mktemp)
trap 'rm -f "$body"' EXIT
cat > "$body" <<'JSON'
{
  "dag_id": "<dag_id>",
  "from_date": "2023-01-01T03:00:00",
  "to_date": "2023-01-05T03:00:00",
  "run_backwards": false,
  "dag_run_conf": {},
  "reprocess_behavior": "none",
  "max_active_runs": 1
}
JSON
api() {
  curl -fsS -X POST "$AIRFLOW_URL/api/v2/$1" -H "Authorization: Bearer $AIRFLOW_TOKEN" -H 'Content-Type: application/json' --data-binary @"$body"
}
seen=$(api backfills/dry_run | python3 -c '
import datetime, json, sys
ds = sorted({int(datetime.datetime.fromisoformat(b["logical_date"].replace("Z", "+00:00")).timestamp())
             for b in json.load(sys.stdin)["backfills"] if b["logical_date"]})
print(len(ds), ds[0] if ds else "-", ds[-1] if ds else "-")')
if [ "$seen" != "3 1672542000 1672887600" ]; then
  echo "airflow's dry run lists other runs than the plan (count, first, last epoch seconds): $seen, planned 3 1672542000 1672887600" >&2
  exit 1
fi
api backfills
echo
# The same with the airflow command line, where the DAG is deployed:
#   airflow backfill create --dag-id '<dag_id>' --from-date '2023-01-01T03:00:00' --to-date '2023-01-05T03:00:00' --max-active-runs 1
