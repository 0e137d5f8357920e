import com.cronutils.model.Cron;
import com.cronutils.model.definition.CronDefinitionBuilder;
import com.cronutils.model.time.ExecutionTime;
import com.cronutils.parser.CronParser;

import java.io.BufferedReader;
import java.io.BufferedWriter;
import java.io.InputStreamReader;
import java.io.OutputStreamWriter;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.ZoneId;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TimeZone;

/**
 * Test oracle: which executions a Kestra Schedule-trigger backfill creates.
 *
 * Reads cases (JSON lines) on stdin, writes one answer line per case on stdout.
 * It drives the real cron-utils 9.2.1 with the cron definition Kestra builds, and
 * replays, step by step, the calls Kestra makes from the backfill's creation
 * (PUT /api/v1/triggers) until the scheduler drops the backfill. The Kestra code
 * it mirrors is named in the comments ("Kestra:" file and method); see README.md
 * for the commits followed.
 */
public final class KestraOracle {

    /** Executions listed per case at most; one more sets "truncated". */
    static final int CAP = 5000;
    /** Scheduler ticks simulated per case at most (a guard: the loop always advances). */
    static final long MAX_TICKS = 10_000_000L;

    // Kestra: Schedule.CRON_DEFINITION_BUILDER / CRON_PARSER / CRON_PARSER_WITH_SECONDS.
    // The same builder calls, in the same order, on one shared builder: the seconds parser
    // is made by adding a seconds field to the builder the 5-field parser was made from.
    static final CronParser CRON_PARSER;
    static final CronParser CRON_PARSER_WITH_SECONDS;

    static {
        CronDefinitionBuilder builder = CronDefinitionBuilder.defineCron()
            .withMinutes().withValidRange(0, 59).withStrictRange().and()
            .withHours().withValidRange(0, 23).withStrictRange().and()
            .withDayOfMonth().withValidRange(1, 31).withStrictRange().and()
            .withMonth().withValidRange(1, 12).withStrictRange().and()
            .withDayOfWeek().withValidRange(0, 7).withMondayDoWValue(1).withIntMapping(7, 0).withStrictRange().and()
            .withSupportedNicknameYearly()
            .withSupportedNicknameAnnually()
            .withSupportedNicknameMonthly()
            .withSupportedNicknameWeekly()
            .withSupportedNicknameDaily()
            .withSupportedNicknameMidnight()
            .withSupportedNicknameHourly();
        CRON_PARSER = new CronParser(builder.instance());
        CRON_PARSER_WITH_SECONDS = new CronParser(builder.withSeconds().withValidRange(0, 59).withStrictRange().and().instance());
    }

    /** A case the oracle cannot read (not something Kestra would say). */
    static final class BadCase extends Exception {
        BadCase(String message) { super(message); }
    }

    /** Kestra: Schedule.Output (date, next, previous), already in the schedule's zone. */
    record Output(ZonedDateTime date, ZonedDateTime next, ZonedDateTime previous) {}

    /** One Schedule trigger as Kestra holds it: the parsed cron and the `timezone` property. */
    static final class Schedule {
        final String timezone;          // never null here: Kestra's default is the server zone, we take "UTC"
        final ZoneId zone;
        final ExecutionTime executionTime;

        Schedule(String cron, boolean withSeconds, String timezone) {
            this.timezone = timezone;
            // Kestra: TimezoneIdValidator (ZoneId.of must not throw) and Schedule.convertDateTime.
            this.zone = ZoneId.of(timezone);
            // Kestra: Schedule.parseCron + ScheduleValidator (parse, then validate) + Schedule.executionTime().
            CronParser parser = withSeconds ? CRON_PARSER_WITH_SECONDS : CRON_PARSER;
            Cron parsed = parser.parse(cron);
            parsed.validate();
            this.executionTime = ExecutionTime.forCron(parsed);
        }

        // Kestra: Schedule.convertDateTime (timezone is non-null here).
        ZonedDateTime convertDateTime(ZonedDateTime date) {
            return date.withZoneSameInstant(zone);
        }

        // Kestra: Schedule.computeNextEvaluationDate: cron-utils' next, truncated to seconds.
        Optional<ZonedDateTime> computeNextEvaluationDate(ZonedDateTime date) {
            return executionTime.nextExecution(date).map(d -> d.truncatedTo(ChronoUnit.SECONDS));
        }

        // Kestra: Schedule.scheduleDates. date = next(date - 1s) (not truncated), next = the fire
        // time after it (truncated), previous = last(date) (not truncated; computed from `date`,
        // not from the fire time found).
        Optional<Output> scheduleDates(ZonedDateTime date) {
            Optional<ZonedDateTime> next = executionTime.nextExecution(date.minus(Duration.ofSeconds(1)));
            if (next.isEmpty()) {
                return Optional.empty();
            }
            ZonedDateTime outDate = convertDateTime(next.get());
            ZonedDateTime outNext = computeNextEvaluationDate(next.get()).map(this::convertDateTime).orElse(null);
            ZonedDateTime outPrevious = executionTime.lastExecution(date).map(this::convertDateTime).orElse(null);
            return Optional.of(new Output(outDate, outNext, outPrevious));
        }

        // Kestra: Schedule.nextEvaluationDate(conditionContext, last) with a backfill present, no
        // conditions (lateMaximumDelay is ignored during a backfill). `clock` is SchedulerClock.now().
        ZonedDateTime nextEvaluationDate(Backfill backfill, ZonedDateTime clock) {
            ZonedDateTime lastDate = convertDateTime(backfill.currentDate);
            ZonedDateTime nextDate = computeNextEvaluationDate(lastDate).orElse(null);
            if (nextDate != null && nextDate.isAfter(backfill.end)) {
                nextDate = computeNextEvaluationDate(convertDateTime(clock)).orElse(null);
            }
            return nextDate;
        }

        // Kestra: Schedule.evaluate with a backfill that is not paused and no conditions, after the
        // post-#7227 fix (currentDate converted into the schedule's zone). Empty = no execution.
        Optional<Output> evaluate(Backfill backfill, ZonedDateTime clock) {
            ZonedDateTime currentDateTimeExecution = convertDateTime(backfill.currentDate);
            Output scheduleDates = scheduleDates(currentDateTimeExecution).orElse(null);
            if (scheduleDates == null || scheduleDates.date() == null) {
                return Optional.empty();
            }
            ZonedDateTime next = scheduleDates.date();
            // "current-date must be at or after the fire time" (isBefore: an instant comparison).
            if (currentDateTimeExecution.isBefore(next)) {
                return Optional.empty();
            }
            // "we are in the future don't allow" (compareTo: instant, then local time, then zone id).
            if (next.compareTo(clock.plus(Duration.ofSeconds(1))) > 0) {
                return Optional.empty();
            }
            return Optional.of(scheduleDates);
        }

        // Kestra: Output.toMap(ZoneId.of(timezone)) -> JacksonMapper.toMap(object, zoneId): a copy of
        // the mapper with setTimeZone(TimeZone.getTimeZone(zoneId.getId())); JavaTimeModule's
        // ZonedDateTimeSerializer then formats with ISO_OFFSET_DATE_TIME in that context zone
        // (WRITE_DATES_AS_TIMESTAMPS off, WRITE_DATES_WITH_CONTEXT_TIME_ZONE on by default).
        // TimeZone.getTimeZone answers GMT for ids it does not know, such as "+05:30".
        String serialise(ZonedDateTime value) {
            if (value == null) {
                return null;
            }
            ZoneId contextZone = TimeZone.getTimeZone(zone.getId()).toZoneId();
            return DateTimeFormatter.ISO_OFFSET_DATE_TIME.withZone(contextZone).format(value);
        }
    }

    /** Kestra: models/triggers/Backfill (the fields the loop reads). */
    static final class Backfill {
        final ZonedDateTime start;
        final ZonedDateTime end;
        ZonedDateTime currentDate;

        Backfill(ZonedDateTime start, ZonedDateTime end) {
            this.start = start;
            this.end = end;
            this.currentDate = start;
        }
    }

    /** The backfill's result: executions in creation order, and how the loop ended. */
    static final class Run {
        final List<Output> executions = new ArrayList<>();
        boolean truncated;
        String stuck;          // non-null: Kestra's loop never ends (see README)
    }

    /**
     * The backfill from its creation to its end, with a scheduler clock that starts at `now`
     * and moves forward to each tick at which the trigger is due.
     */
    static Run backfill(Schedule schedule, ZonedDateTime start, ZonedDateTime endOrNull, ZonedDateTime now) {
        Run run = new Run();

        // Kestra: TriggerController.update -> Trigger.initBackfill / Trigger.update: end null -> now,
        // currentDate = start, nextExecutionDate = Schedule.nextEvaluationDate(.., backfill).
        ZonedDateTime end = endOrNull != null ? endOrNull : now;
        Backfill backfill = new Backfill(start, end);
        ZonedDateTime clock = now;
        ZonedDateTime nextExecutionDate = schedule.nextEvaluationDate(backfill, clock);

        for (long tick = 0; tick < MAX_TICKS; tick++) {
            // Kestra: AbstractJdbcTriggerRepository.findByNextExecutionDateReadyForAllTenants: the
            // trigger is handled at the first whole-second tick with next_execution_date < now
            // (or null); AbstractScheduler.handle ticks every second. One evaluation per tick.
            ZonedDateTime due = nextExecutionDate == null
                ? clock
                : nextExecutionDate.truncatedTo(ChronoUnit.SECONDS).plusSeconds(1);
            ZonedDateTime following = clock.truncatedTo(ChronoUnit.SECONDS).plusSeconds(1);
            clock = due.isAfter(following) ? due : following;

            // Kestra: AbstractScheduler.handle -> evaluateScheduleTrigger -> Schedule.evaluate.
            Optional<Output> execution = schedule.evaluate(backfill, clock);

            // Kestra: handleEvaluateSchedulingTriggerResult (execution) or Trigger.fromEvaluateFailed
            // (none): both take Schedule.nextEvaluationDate, then Trigger.checkBackfill.
            ZonedDateTime next = schedule.nextEvaluationDate(backfill, clock);
            if (next == null) {
                // checkBackfill calls getNextExecutionDate().isAfter(..) on null: the
                // NullPointerException is caught in handle(), which emits a FAILED execution
                // (without trigger variables) and resets the trigger with the backfill unchanged and
                // nextExecutionDate = now: the same happens again at every tick, forever. The
                // execution evaluated at this tick, if any, is not emitted.
                run.stuck = "java.lang.NullPointerException in Trigger.checkBackfill (next evaluation date is null at "
                    + "currentDate " + schedule.serialise(schedule.convertDateTime(backfill.currentDate))
                    + "): Kestra emits a FAILED execution at every scheduler tick and the backfill never ends";
                return run;
            }
            if (execution.isPresent()) {
                if (run.executions.size() == CAP) {
                    run.truncated = true;
                    return run;
                }
                run.executions.add(execution.get());
            }
            // Kestra: Trigger.checkBackfill: after the end, the backfill is removed.
            if (next.isAfter(backfill.end)) {
                return run;
            }
            backfill.currentDate = next;
            nextExecutionDate = next;
        }
        run.stuck = "oracle guard: more than " + MAX_TICKS + " scheduler ticks";
        return run;
    }

    static ZonedDateTime parseDate(Map<String, Object> c, String key, boolean required) throws BadCase {
        Object v = c.get(key);
        if (v == null) {
            if (required) {
                throw new BadCase("missing \"" + key + "\"");
            }
            return null;
        }
        if (!(v instanceof String s)) {
            throw new BadCase("\"" + key + "\" is not a string");
        }
        try {
            // ISO-8601 with an offset (a bracketed zone after it is accepted too).
            return ZonedDateTime.parse(s, DateTimeFormatter.ISO_ZONED_DATE_TIME);
        } catch (RuntimeException e) {
            throw new BadCase("\"" + key + "\": " + e.getMessage());
        }
    }

    static String answer(String line) {
        Map<String, Object> out = new LinkedHashMap<>();
        Map<String, Object> c;
        try {
            Object parsed = Json.parse(line);
            if (!(parsed instanceof Map)) {
                throw new BadCase("a case must be a JSON object");
            }
            @SuppressWarnings("unchecked")
            Map<String, Object> m = (Map<String, Object>) parsed;
            c = m;
        } catch (BadCase | RuntimeException e) {
            out.put("id", null);
            out.put("ok", false);
            out.put("error", "bad case: " + e.getMessage());
            return Json.write(out);
        }
        out.put("id", c.get("id"));
        try {
            Object cron = c.get("cron");
            if (!(cron instanceof String)) {
                throw new BadCase("\"cron\" must be a string");
            }
            Object ws = c.get("with_seconds");
            boolean withSeconds = Boolean.TRUE.equals(ws);
            Object tz = c.get("timezone");
            if (tz != null && !(tz instanceof String)) {
                throw new BadCase("\"timezone\" must be a string or null");
            }
            ZonedDateTime start = parseDate(c, "start", true);
            ZonedDateTime end = parseDate(c, "end", false);
            ZonedDateTime now = parseDate(c, "now", false);
            if (now == null) {
                now = ZonedDateTime.now(ZoneId.of("UTC"));
            }

            Schedule schedule;
            try {
                schedule = new Schedule((String) cron, withSeconds, tz == null ? "UTC" : (String) tz);
            } catch (RuntimeException e) {
                out.put("ok", false);
                out.put("error", e.getClass().getName() + ": " + e.getMessage());
                return Json.write(out);
            }

            Run run = backfill(schedule, start, end, now);
            List<Object> executions = new ArrayList<>();
            for (Output o : run.executions) {
                Map<String, Object> e = new LinkedHashMap<>();
                e.put("date", schedule.serialise(o.date()));
                e.put("previous", schedule.serialise(o.previous()));
                e.put("next", schedule.serialise(o.next()));
                executions.add(e);
            }
            out.put("ok", true);
            out.put("executions", executions);
            out.put("truncated", run.truncated);
            if (run.stuck != null) {
                out.put("stuck", run.stuck);
            }
        } catch (BadCase e) {
            out.put("ok", false);
            out.put("error", "bad case: " + e.getMessage());
        } catch (RuntimeException e) {
            // cron-utils failing while iterating: report it as Kestra would see it (an exception).
            out.remove("executions");
            out.remove("truncated");
            out.put("ok", false);
            out.put("error", e.getClass().getName() + ": " + e.getMessage());
        }
        return Json.write(out);
    }

    public static void main(String[] args) throws Exception {
        if (args.length > 0 && args[0].equals("--version")) {
            System.out.println((KestraOracle.class.getResource("/CRON_UTILS_VERSION") != null
                ? new String(KestraOracle.class.getResourceAsStream("/CRON_UTILS_VERSION").readAllBytes(), StandardCharsets.UTF_8).trim()
                : "(unknown)"));
            System.out.println("java " + System.getProperty("java.version") + ", tzdb "
                + java.time.zone.ZoneRulesProvider.getVersions("UTC").lastKey());
            return;
        }
        BufferedReader in = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8));
        BufferedWriter out = new BufferedWriter(new OutputStreamWriter(System.out, StandardCharsets.UTF_8));
        String line;
        while ((line = in.readLine()) != null) {
            if (line.isBlank()) {
                continue;
            }
            out.write(answer(line));
            out.write('\n');
        }
        out.flush();
    }

    /** A small JSON reader/writer: objects, arrays, strings, numbers, true/false/null. */
    static final class Json {
        private final String s;
        private int i;

        private Json(String s) { this.s = s; }

        static Object parse(String text) throws BadCase {
            Json p = new Json(text);
            p.ws();
            Object v = p.value();
            p.ws();
            if (p.i != p.s.length()) {
                throw new BadCase("trailing characters at " + p.i);
            }
            return v;
        }

        private void ws() {
            while (i < s.length() && " \t\r\n".indexOf(s.charAt(i)) >= 0) i++;
        }

        private BadCase err(String what) { return new BadCase("JSON: " + what + " at " + i); }

        private Object value() throws BadCase {
            if (i >= s.length()) throw err("unexpected end");
            char ch = s.charAt(i);
            switch (ch) {
                case '{': return object();
                case '[': return array();
                case '"': return string();
                case 't': return literal("true", Boolean.TRUE);
                case 'f': return literal("false", Boolean.FALSE);
                case 'n': return literal("null", null);
                default:
                    if (ch == '-' || (ch >= '0' && ch <= '9')) return number();
                    throw err("unexpected '" + ch + "'");
            }
        }

        private Object literal(String word, Object v) throws BadCase {
            if (!s.startsWith(word, i)) throw err("bad literal");
            i += word.length();
            return v;
        }

        private Object number() throws BadCase {
            int b = i;
            while (i < s.length() && "+-0123456789.eE".indexOf(s.charAt(i)) >= 0) i++;
            String t = s.substring(b, i);
            try {
                if (t.matches("-?\\d+")) return Long.parseLong(t);
                return Double.parseDouble(t);
            } catch (NumberFormatException e) {
                throw err("bad number");
            }
        }

        private Map<String, Object> object() throws BadCase {
            Map<String, Object> m = new LinkedHashMap<>();
            i++;
            ws();
            if (i < s.length() && s.charAt(i) == '}') { i++; return m; }
            while (true) {
                ws();
                if (i >= s.length() || s.charAt(i) != '"') throw err("expected a key");
                String k = string();
                ws();
                if (i >= s.length() || s.charAt(i) != ':') throw err("expected ':'");
                i++;
                ws();
                m.put(k, value());
                ws();
                if (i >= s.length()) throw err("unexpected end");
                char ch = s.charAt(i++);
                if (ch == '}') return m;
                if (ch != ',') throw err("expected ',' or '}'");
            }
        }

        private List<Object> array() throws BadCase {
            List<Object> l = new ArrayList<>();
            i++;
            ws();
            if (i < s.length() && s.charAt(i) == ']') { i++; return l; }
            while (true) {
                ws();
                l.add(value());
                ws();
                if (i >= s.length()) throw err("unexpected end");
                char ch = s.charAt(i++);
                if (ch == ']') return l;
                if (ch != ',') throw err("expected ',' or ']'");
            }
        }

        private String string() throws BadCase {
            StringBuilder b = new StringBuilder();
            i++;
            while (true) {
                if (i >= s.length()) throw err("unterminated string");
                char ch = s.charAt(i++);
                if (ch == '"') return b.toString();
                if (ch != '\\') { b.append(ch); continue; }
                if (i >= s.length()) throw err("bad escape");
                char e = s.charAt(i++);
                switch (e) {
                    case '"': b.append('"'); break;
                    case '\\': b.append('\\'); break;
                    case '/': b.append('/'); break;
                    case 'b': b.append('\b'); break;
                    case 'f': b.append('\f'); break;
                    case 'n': b.append('\n'); break;
                    case 'r': b.append('\r'); break;
                    case 't': b.append('\t'); break;
                    case 'u':
                        if (i + 4 > s.length()) throw err("bad \\u escape");
                        try {
                            b.append((char) Integer.parseInt(s.substring(i, i + 4), 16));
                        } catch (NumberFormatException x) {
                            throw err("bad \\u escape");
                        }
                        i += 4;
                        break;
                    default: throw err("bad escape");
                }
            }
        }

        static String write(Object v) {
            StringBuilder b = new StringBuilder();
            write(b, v);
            return b.toString();
        }

        @SuppressWarnings("unchecked")
        private static void write(StringBuilder b, Object v) {
            if (v == null) {
                b.append("null");
            } else if (v instanceof String str) {
                b.append('"');
                for (int k = 0; k < str.length(); k++) {
                    char ch = str.charAt(k);
                    switch (ch) {
                        case '"': b.append("\\\""); break;
                        case '\\': b.append("\\\\"); break;
                        case '\n': b.append("\\n"); break;
                        case '\r': b.append("\\r"); break;
                        case '\t': b.append("\\t"); break;
                        default:
                            if (ch < 0x20) b.append(String.format("\\u%04x", (int) ch));
                            else b.append(ch);
                    }
                }
                b.append('"');
            } else if (v instanceof Boolean || v instanceof Number) {
                b.append(v);
            } else if (v instanceof Map) {
                b.append('{');
                boolean first = true;
                for (Map.Entry<String, Object> e : ((Map<String, Object>) v).entrySet()) {
                    if (!first) b.append(',');
                    first = false;
                    write(b, e.getKey());
                    b.append(':');
                    write(b, e.getValue());
                }
                b.append('}');
            } else if (v instanceof List) {
                b.append('[');
                boolean first = true;
                for (Object o : (List<Object>) v) {
                    if (!first) b.append(',');
                    first = false;
                    write(b, o);
                }
                b.append(']');
            } else {
                write(b, v.toString());
            }
        }
    }
}
