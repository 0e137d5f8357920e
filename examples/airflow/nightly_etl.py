"""Nightly ETL."""
from __future__ import annotations

import pendulum
from datetime import timedelta

from airflow.sdk import DAG
from airflow.providers.standard.operators.empty import EmptyOperator

DEFAULT_ARGS = {"owner": "data", "retries": 2}
SCHEDULE = "30 2 * * *"  # every night

with DAG(
    dag_id="nightly_etl",
    schedule=SCHEDULE,
    start_date=pendulum.datetime(2024, 1, 1, tz="America/New_York"),
    catchup=False,
    max_active_runs=1,
    default_args=DEFAULT_ARGS,
    tags=["etl"],
) as dag:
    EmptyOperator(task_id="start")
