"""The workflow and task the Flyte oracle's launch plans schedule (module level, as flytekit requires)."""

import datetime as dt

from flytekit import task, workflow


@task
def kickoff_task(kickoff_time: dt.datetime) -> str:
    return str(kickoff_time)


@workflow
def kickoff_workflow(kickoff_time: dt.datetime) -> str:
    return kickoff_task(kickoff_time=kickoff_time)
