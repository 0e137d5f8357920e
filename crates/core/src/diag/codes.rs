//! Every diagnostic code the planner emits, with its one-line meaning: the registry the
//! app's help and the docs read, and the constants every call site raises. Errors are
//! grouped by hundreds (E00xx YAML, E01xx the spec's shape, E02xx dates and zones, E03xx
//! cron, E04xx an engine's rules, E05xx the orchestrators' own texts, E06xx limits, E07xx
//! exports); warnings and notes mostly follow them, except W03xx/N03xx (each engine's
//! surprises: where its code and its docs disagree) and W0501–W0504 (daylight-saving
//! time). Codes are never renumbered. A test checks that every code the core's source
//! names is here, and that every code here is used.

/// A diagnostic code and what it means.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Code {
    /// The constant's name: `UNKNOWN_KEY`.
    pub name: &'static str,
    /// `E0101`.
    pub code: &'static str,
    /// What it means, in one line.
    pub meaning: &'static str,
}

macro_rules! codes {
    ($($name:ident = $code:literal: $meaning:literal;)*) => {
        $(
            #[doc = $meaning]
            pub const $name: &str = $code;
        )*
        /// Every code, in order.
        pub const ALL: &[Code] = &[$(Code { name: stringify!($name), code: $code, meaning: $meaning }),*];
    };
}

codes! {
    YAML_SYNTAX = "E0001": "the text is not valid YAML";
    DUPLICATE_KEY = "E0002": "a mapping has the same key twice";
    EMPTY_INPUT = "E0003": "there is nothing to plan: the input is empty";
    SEVERAL_DOCUMENTS = "E0004": "a planner spec is one YAML document, and the text has several";
    NO_DIALECT = "E0005": "the text fits none of the input dialects";
    TOO_DEEP = "E0006": "lists and mappings are nested deeper than the planner reads";
    UNKNOWN_KEY = "E0101": "a key the spec (or the pasted dialect) does not have";
    WRONG_SHAPE = "E0102": "a value has the wrong shape: a mapping or a list was expected";
    NOT_A_STRING = "E0103": "a value must be a string";
    NOT_AN_INTEGER = "E0104": "a value must be a whole number";
    NOT_A_BOOLEAN = "E0105": "a value must be `true` or `false`";
    NOT_A_DURATION = "E0106": "a value must be a duration such as `90s`, `15m` or `PT1H`";
    NOT_A_CHOICE = "E0107": "a value must be one of a fixed set of names";
    EMPTY_AXIS = "E0108": "a grid axis (or matrix param) has no values";
    SEVERAL_SCHEDULES = "E0109": "a schedule has exactly one of `cron`, `every` or `partitions`";
    EMPTY_SCHEDULE = "E0110": "the schedule is empty, or a part of it is missing";
    NO_SCHEDULE = "E0111": "the spec has no `schedule`";
    NO_WINDOW_END = "E0112": "the window lacks its `start` or an `end` the engine needs";
    OPEN_END_WITHOUT_NOW = "E0113": "the window is open (it ends now) but no `now` was given";
    BOUNDS_NOT_GENERIC = "E0114": "`bounds` is the generic engine's; other engines decide their own";
    DST_NOT_GENERIC = "E0115": "`dst` is the generic engine's; other engines have their own rule";
    TIMETABLE_NOT_HERE = "E0116": "`schedule.timetable` and `schedule.interval` are for engines with timetables (airflow)";
    NOT_POSITIVE_COUNT = "E0120": "a count such as `concurrency` or `max_per_run` must be at least 1";
    NEGATIVE_RETRIES = "E0121": "`retries` must not be negative";
    BAD_ESTIMATE = "E0122": "an estimate's run time must be positive and its overhead not negative";
    BAD_TIMEOUT = "E0123": "`timeout` must be positive";
    NOT_A_MOMENT = "E0201": "a value is not a date or a date-time";
    UNKNOWN_ZONE = "E0202": "a time zone that is not an IANA name or a fixed offset";
    NOT_A_RUN = "E0203": "a `select`/`exclude` item is not a date, a date-time or a partition key";
    CRON_FIELD_COUNT = "E0301": "the cron has a number of fields its dialect does not accept";
    CRON_EMPTY = "E0302": "the cron (or one of its fields) is empty";
    CRON_MALFORMED = "E0303": "a cron field is not a number, a range, a step or a name";
    CRON_OUT_OF_RANGE = "E0304": "a cron value is outside its field's range";
    CRON_REVERSED = "E0305": "a cron range starts after it ends";
    CRON_STEP = "E0306": "a cron step is missing, zero or too large";
    CRON_EMPTY_ITEM = "E0307": "a cron list has an empty item";
    CRON_NAME = "E0308": "an unknown month or weekday name";
    CRON_NICKNAME = "E0309": "an unknown or unsupported `@` nickname";
    CRON_UNSUPPORTED = "E0310": "a cron feature the engine's dialect does not have";
    CRON_PLACEMENT = "E0311": "a special character (`?`, `L`, `W`, `#`) in a field or place that forbids it";
    CRON_OCCURRENCE = "E0312": "an `L`, `W` or `#` day that is out of range or malformed";
    CRON_NEVER = "E0313": "the cron never fires: no date matches it";
    CRON_W_LIST = "E0314": "a `W` or `#` day inside a list, which the dialect forbids";
    CRON_NTH_MIX = "E0315": "`#` days mixed with other weekdays, which the dialect forbids";
    CRON_HASH = "E0316": "a Jenkins `H` or an ISO repeat (`R/`) form, which the engine does not read";
    CRONITER_FAILS = "E0317": "croniter itself raises on this cron";
    WRONG_SCHEDULE_KIND = "E0403": "the engine steps by another kind of schedule (a cron, an interval or partitions)";
    POLYAXON_STEP_UNIT = "E0404": "polyaxon steps in days or seconds and cannot step by months or years";
    POLYAXON_STOP_BEFORE_START = "E0410": "polyaxon needs the stop strictly after the start";
    POLYAXON_ZERO_STEP = "E0411": "polyaxon refuses a zero step";
    INTERVAL_NOT_POSITIVE = "E0412": "an interval must be at least 1, or the engine's loop never ends";
    FLYTE_START_AFTER_END = "E0413": "flyte needs the start before the end";
    FLYTE_WINDOW_TOO_SMALL = "E0414": "flyte finds no fire strictly between the start and the end";
    MAGE_MIXED_OFFSETS = "E0415": "one end of the window has an offset and the other none: python cannot compare them";
    DAGSTER_NO_FMT = "E0416": "a dagster `partitions.cron` needs a `fmt`";
    DAGSTER_OFFSET_RANGE = "E0417": "a dagster partition offset is outside its range";
    FLYTE_NO_NEXT_FIRE = "E0418": "flytekit refuses the launch plan: croniter finds no fire after now";
    FLYTE_RUNS_OUT = "E0419": "croniter runs out of fire times before the end, and the backfill fails";
    DAGSTER_FAILS = "E0420": "dagster itself raises on these partitions";
    AIRFLOW_FROM_AFTER_TO = "E0421": "airflow refuses a from_date after the to_date";
    AIRFLOW_FUTURE = "E0422": "airflow refuses a backfill whose from_date and to_date are both in the future";
    AIRFLOW_NO_RUNS = "E0423": "airflow finds no run to create in the window, and refuses the backfill";
    AIRFLOW_NOT_PERIODIC = "E0424": "airflow refuses to backfill a schedule that is not periodic (`@once`, `@continuous`, none)";
    AIRFLOW_INTERVAL_ON_DATA_INTERVAL = "E0425": "`schedule.interval` belongs to a trigger timetable, not a data-interval one";
    AIRFLOW_EVENTS_UNLOADABLE = "E0426": "airflow 3.3.2 cannot load a DAG with an EventsTimetable, so it cannot be backfilled";
    POLYAXON_NO_OPERATION = "E0510": "the paste has no polyaxon operation to backfill";
    POLYAXON_NO_MATRIX = "E0511": "the polyaxon operation has no `matrix`";
    POLYAXON_NOT_GRID = "E0512": "the polyaxon matrix samples runs; a backfill needs `grid` or `mapping`";
    POLYAXON_RANGE_VALUES = "E0513": "a polyaxon range needs three values `[start, stop, step]`";
    POLYAXON_RANGE_STRING = "E0514": "a polyaxon range written as a string it cannot read";
    POLYAXON_NO_PARAMS = "E0515": "the polyaxon grid has no `params`";
    POLYAXON_DISTRIBUTION = "E0516": "a polyaxon distribution cannot be used with grid search";
    POLYAXON_SECOND_RANGE = "E0517": "a second polyaxon date range has too many values";
    POLYAXON_NO_DATE_RANGE = "E0518": "the polyaxon grid has no `daterange` or `datetimerange`: nothing to backfill";
    POLYAXON_DAY_STEP = "E0519": "a polyaxon `daterange` step must be a whole number of days";
    POLYAXON_INPUT_TYPE = "E0520": "a param's declared input type does not fit its range (polyaxon refuses it)";
    POLYAXON_MAPPING_DATE = "E0521": "a polyaxon mapping value has no date";
    KESTRA_BODY_ALONE = "E0530": "a kestra trigger body alone does not say the schedule: paste the flow with it";
    KESTRA_NO_SCHEDULE = "E0531": "the kestra flow has no Schedule trigger";
    KESTRA_NO_SUCH_TRIGGER = "E0532": "the kestra flow has no Schedule trigger by that id";
    KESTRA_WHICH_TRIGGER = "E0533": "the kestra flow has several Schedule triggers: say which one";
    KESTRA_NO_START = "E0534": "no kestra backfill start: paste the trigger body or give one";
    MAGE_NOT_A_BODY = "E0540": "the text is not a mage backfill body";
    MAGE_NO_INTERVAL = "E0541": "the mage backfill has no `interval_type`";
    MAGE_RUNS_NO_DATE = "E0542": "a mage variable list gives no date: give the backfill's start";
    AIRFLOW_DAG_UNREADABLE = "E0550": "a DAG argument the backfill depends on is not a literal the planner can read (nothing is executed)";
    AIRFLOW_NO_DAG = "E0551": "the Python file defines no `DAG(...)` or `@dag(...)`";
    AIRFLOW_SCHEDULE_INTERVAL = "E0552": "Airflow 3 has no `schedule_interval`: the DAG does not load";
    AIRFLOW_TIMETABLE_UNSUPPORTED = "E0553": "a schedule the planner does not reproduce yet (assets, events, several crons, a custom timetable)";
    AIRFLOW_BODY_ALONE = "E0554": "an airflow backfill request alone does not say the schedule: paste the DAG file with it";
    OVER_LIMIT = "E0601": "the plan has more runs than the limit";
    CANNOT_EXPORT = "E0701": "the plan's runs cannot be expressed in this export target";
    BATCH_SIZE_ADVICE = "N0120": "the batch size is outside the dagster guide's range for this run time";
    POLYAXON_STOP_EXCLUDED = "N0310": "polyaxon stops before the stop value: it is not run";
    KESTRA_SERVER_ZONE = "N0320": "kestra evaluates the cron in the server's zone when none is set";
    KESTRA_ZONE_FIX = "N0321": "kestra before February 2025 created no executions for a trigger with a zone";
    KESTRA_BOTH_ENDS = "N0322": "kestra includes both ends: the fire at the end runs too";
    AIRFLOW_END_INCLUDED = "N0340": "airflow includes the to_date: a fire at the end runs too";
    AIRFLOW_DELTA_ANCHOR = "N0342": "airflow anchors an interval schedule's runs to the from_date given, not to the DAG's start_date";
    AIRFLOW_IGNORES_DAG_DATES = "N0343": "an airflow backfill ignores the DAG's start_date, end_date and catchup";
    AIRFLOW_DAG_MAX_ACTIVE = "N0344": "an airflow backfill runs up to its own max_active_runs at once, not the DAG's";
    AIRFLOW_REPROCESS = "N0345": "`reprocess_behavior` only matters for runs that already exist; the plan assumes none";
    POLYAXON_NO_COMPONENT = "N0510": "no polyaxon component: input types are not checked, no command is rendered";
    PARAM_AND_AXIS = "W0110": "a name is both a param and a grid axis; the grid value wins";
    MAX_PER_RUN_IGNORED = "W0120": "`max_per_run` applies only to `strategy: multi_run`";
    ORDER_IGNORED = "W0123": "the engine launches the oldest run first whatever `order` says";
    STRATEGY_IGNORED = "W0124": "the engine creates one run per date: `strategy` has no effect";
    FRACTIONAL_SECONDS = "W0201": "a date-time has fractions of a second, which runs drop";
    MAGE_INCLUDES_END = "W0301": "mage runs the window's end too, though its docs say the end is excluded";
    FLYTE_EXCLUDES_ENDS = "W0302": "flyte excludes both ends, though its docstring says the end is included";
    MAGE_MONTH_DRIFT = "W0303": "mage steps months from the previous date, so a clamped day sticks";
    POLYAXON_NO_ZONES = "W0310": "polyaxon has no time zones: the zone is ignored";
    POLYAXON_DROPS_OFFSET = "W0311": "polyaxon converts an aware value to UTC and drops the offset";
    POLYAXON_NEGATIVE_STEP = "W0312": "a negative polyaxon step passes validation but creates no runs";
    STEP_SHORT_OF_STOP = "W0313": "the step does not divide the window: the last run is short of the stop";
    MAGE_END_BEFORE_START = "W0314": "the end is before the start: mage creates no runs";
    POLYAXON_DATETIME_INPUT = "W0315": "polyaxon 2.18 cannot render a non-midnight `datetime` input";
    KESTRA_END_BEFORE_START = "W0321": "the end is before the start; kestra still evaluates the start once";
    KESTRA_SEQUENTIAL = "W0322": "kestra runs a trigger's backfill one execution at a time: concurrency has no effect";
    KESTRA_NEVER_ENDS = "W0323": "kestra's backfill never ends: cron-utils finds no further fire";
    DAGSTER_KEY_ORDER = "W0330": "dagster launches per-partition runs sorted by the key string, not by date";
    DAGSTER_SINGLE_RUN_RANGES = "W0331": "dagster's single_run launches one run per contiguous range of partitions";
    DAGSTER_NO_KEYS = "W0333": "dagster has no partition to backfill in this window";
    DAGSTER_HASH_ORDER = "W0335": "two dagster keys name one instant; which launches depends on the Python process";
    DAGSTER_EMPTY_RANGE_RUN = "W0336": "dagster launches a run for a range that reads back no partition";
    AIRFLOW_NOT_ENDED = "W0340": "airflow creates no run whose data interval has not ended by now";
    AIRFLOW_NAIVE_UTC = "W0341": "airflow reads a date-time without an offset as UTC, not in the DAG's zone";
    AIRFLOW_SAME_LOGICAL_DATE = "W0342": "two runs of the window have one logical date: airflow creates one of them";
    AIRFLOW_LIST_CUT = "W0343": "airflow's timetable fails part-way: the backfill's run list ends there";
    MATCHES_NO_RUN = "W0401": "a `select`/`exclude` item matches no run";
    DST_SKIPPED = "W0501": "a fire time does not exist (clocks spring forward) and the engine skips it";
    DST_SHIFTED = "W0502": "a fire time does not exist (clocks spring forward) and the engine runs it at the gap's end";
    DST_ONCE = "W0503": "a fire time happens twice (clocks fall back) and the engine runs it once";
    DST_TWICE = "W0504": "a fire time happens twice (clocks fall back) and the engine runs it twice";
    POLYAXON_OPERATIONS_KIND = "W0510": "polyaxon has no `operations` kind; it is read as `operation`";
    POLYAXON_DAY_STEP_UNITS = "W0511": "a polyaxon `daterange` step counts days, whatever its unit says";
    KESTRA_UNKNOWN_TRIGGER_KEY = "W0530": "a key the kestra Schedule trigger does not have";
    KESTRA_BODY_DIFFERS = "W0531": "the kestra trigger body names another flow, namespace or trigger than the flow";
    MAGE_CUSTOM_CODE = "W0540": "a mage custom-code backfill: mage 0.9.80 (OSS) creates no runs for it";
    MAGE_CUSTOM_RUNS = "W0541": "mage 0.9.80 (OSS) creates no runs for a custom-code backfill; planned as its docs describe";
    AIRFLOW_SEVERAL_DAGS = "W0550": "the Python file defines several DAGs; the first is planned";
    AIRFLOW_BODY_OTHER_DAG = "W0551": "the pasted backfill request names another DAG than the file defines";
}

/// What `code` means, if it is one of ours.
#[must_use]
pub fn meaning(code: &str) -> Option<&'static str> {
    ALL.iter().find(|c| c.code == code).map(|c| c.meaning)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_are_sorted_unique_and_well_formed() {
        for w in ALL.windows(2) {
            assert!(w[0].code < w[1].code, "{} before {}", w[0].code, w[1].code);
        }
        for c in ALL {
            assert_eq!(c.code.len(), 5, "{}", c.code);
            assert!(
                matches!(c.code.as_bytes()[0], b'E' | b'W' | b'N'),
                "{}",
                c.code
            );
            assert!(
                c.code[1..].bytes().all(|b| b.is_ascii_digit()),
                "{}",
                c.code
            );
            assert!(
                !c.meaning.is_empty() && !c.meaning.ends_with('.'),
                "{}",
                c.code
            );
        }
        assert_eq!(
            meaning("W0301"),
            ALL.iter()
                .find(|c| c.code == MAGE_INCLUDES_END)
                .map(|c| c.meaning)
        );
        assert_eq!(meaning("E9999"), None);
    }
}
